package dev.kiln.protocol.grpc;

import com.google.protobuf.Message;
import dev.kiln.core.error.KilnException;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.InputStream;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * Refuses request messages that do not parse with INVALID_ARGUMENT and a short reason.
 *
 * <p>gRPC parses a request inside its listener; a parse failure escapes as an exception, which it answers with {@code
 * UNKNOWN "Application error processing RPC"} and logs with a ~5.5 KB stack trace per message (issue 10: 3,000
 * messages, 16.6 MB of log). Here each method's request marshaller returns a {@link Malformed} marker instead of
 * throwing, and the call is closed with INVALID_ARGUMENT; the log gets one {@link ThrottledLog} line per interval.
 */
final class MessageGuard {
  private static final Logger LOG = Logger.getLogger(MessageGuard.class.getName());
  static final Duration LOG_INTERVAL = Duration.ofSeconds(60);

  private final ThrottledLog log = new ThrottledLog(LOG, "malformed gRPC request messages refused", LOG_INTERVAL);

  /** A request that did not parse; the reason names the message type, never the parser's internals. */
  private record Malformed(String reason) {}

  /** The same service with every method's requests parsed leniently and malformed ones refused. */
  ServerServiceDefinition wrap(ServerServiceDefinition service) {
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      b.addMethod(guarded(m));
    }
    return b.build();
  }

  private <Q, R> ServerMethodDefinition<Object, R> guarded(ServerMethodDefinition<Q, R> m) {
    MethodDescriptor<Q, R> original = m.getMethodDescriptor();
    MethodDescriptor<Object, R> lenient =
        original.toBuilder(lenient(original), original.getResponseMarshaller()).build();
    return ServerMethodDefinition.create(lenient, handler(m.getServerCallHandler(), original));
  }

  private <Q> MethodDescriptor.Marshaller<Object> lenient(MethodDescriptor<Q, ?> original) {
    String type = messageName(original);
    return new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(Object value) {
        @SuppressWarnings("unchecked") // only requests parsed by this marshaller are streamed back
        Q request = (Q) value;
        return original.streamRequest(request);
      }

      @Override
      public Object parse(InputStream stream) {
        try {
          return original.parseRequest(stream);
        } catch (RuntimeException e) {
          String reason = "request message is not a valid " + type;
          log.record(original.getFullMethodName() + ": " + rootMessage(e));
          return new Malformed(reason);
        }
      }
    };
  }

  private static <Q, R> ServerCallHandler<Object, R> handler(
      ServerCallHandler<Q, R> next, MethodDescriptor<Q, R> original) {
    return (call, headers) -> {
      ServerCall.Listener<Q> delegate = next.startCall(new TypedCall<>(call, original), headers);
      return new ServerCall.Listener<>() {
        private boolean refused; // listener callbacks run one at a time

        @Override
        @SuppressWarnings("unchecked") // anything but the marker came from the original marshaller
        public void onMessage(Object message) {
          if (refused) {
            return;
          }
          if (message instanceof Malformed bad) {
            refused = true;
            call.close(GrpcErrors.status(KilnException.invalid(bad.reason())), new Metadata());
            return;
          }
          delegate.onMessage((Q) message);
        }

        @Override
        public void onHalfClose() {
          if (!refused) {
            delegate.onHalfClose();
          }
        }

        @Override
        public void onCancel() {
          delegate.onCancel();
        }

        @Override
        public void onComplete() {
          delegate.onComplete();
        }

        @Override
        public void onReady() {
          delegate.onReady();
        }
      };
    };
  }

  /** {@code inference.ModelInferRequest}, from the default instance the protobuf marshaller holds. */
  private static String messageName(MethodDescriptor<?, ?> method) {
    if (method.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> p
        && p.getMessagePrototype() instanceof Message proto) {
      return proto.getDescriptorForType().getFullName();
    }
    return "request";
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage());
  }

  /** The call as the original handler types it: requests of its own type, the original method descriptor. */
  private static final class TypedCall<Q, R> extends ServerCall<Q, R> {
    private final ServerCall<Object, R> call;
    private final MethodDescriptor<Q, R> method;

    TypedCall(ServerCall<Object, R> call, MethodDescriptor<Q, R> method) {
      this.call = call;
      this.method = method;
    }

    @Override
    public void request(int numMessages) {
      call.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      call.sendHeaders(headers);
    }

    @Override
    public void sendMessage(R message) {
      call.sendMessage(message);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      call.close(status, trailers);
    }

    @Override
    public boolean isCancelled() {
      return call.isCancelled();
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      call.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      call.setCompression(compressor);
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {
      call.setOnReadyThreshold(numBytes);
    }

    @Override
    public Attributes getAttributes() {
      return call.getAttributes();
    }

    @Override
    public String getAuthority() {
      return call.getAuthority();
    }

    @Override
    public SecurityLevel getSecurityLevel() {
      return call.getSecurityLevel();
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
      return method;
    }
  }
}
