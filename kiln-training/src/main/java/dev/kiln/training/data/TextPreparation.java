package dev.kiln.training.data;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The text keys of a job's {@code preparation} that a dataset may set for itself at upload: stored in its {@link
 * DatasetOptions}, they describe its upload report and are the defaults of every job on it, which its own {@code
 * preparation} overrides key by key. Null fields keep the defaults ({@link TextOptions}, {@link PrepareOptions}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TextPreparation(
    TextOptions.Choice tokenizer,
    Integer ngrams,
    Boolean lowercase,
    Boolean normalize,
    Integer minCount,
    Integer maxVocabulary,
    Integer maxLength) {
  public static final TextPreparation NONE = new TextPreparation(null, null, null, null, null, null, null);

  /** These keys over {@code base}; {@link DatasetException} for values out of range (ngrams 1 to 3, counts >= 1). */
  public PrepareOptions over(PrepareOptions base) {
    PrepareOptions o = base;
    if (maxVocabulary != null || maxLength != null) {
      o =
          o.withText(
              maxVocabulary != null ? maxVocabulary : o.maxVocabulary(), maxLength != null ? maxLength : o.maxLength());
    }
    TextOptions t = o.text();
    return o.withText(
        new TextOptions(
            tokenizer != null ? tokenizer : t.tokenizer(),
            t.features(),
            ngrams != null ? ngrams : t.ngrams(),
            lowercase != null ? lowercase : t.lowercase(),
            normalize != null ? normalize : t.normalize(),
            minCount != null ? minCount : t.minCount()));
  }
}
