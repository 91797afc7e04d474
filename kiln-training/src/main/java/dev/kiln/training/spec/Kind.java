package dev.kiln.training.spec;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The name a layer has in a spec file, used in error messages ("layer 3 (conv2d): ..."). */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface Kind {
  String value();
}
