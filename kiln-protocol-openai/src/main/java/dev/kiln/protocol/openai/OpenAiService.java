package dev.kiln.protocol.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.access.Grants;
import dev.kiln.core.access.Permission;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.llm.Embeddings;
import dev.kiln.core.llm.Generation;
import dev.kiln.core.llm.JsonLimits;
import dev.kiln.core.llm.LanguageModel;
import dev.kiln.core.llm.LanguageModels;
import dev.kiln.core.llm.Prompt;
import dev.kiln.core.llm.ServedLanguageModel;
import dev.kiln.http.Access;
import dev.kiln.http.ErrorStyle;
import dev.kiln.http.ManagementApi;
import dev.kiln.http.RestRequest;
import dev.kiln.http.RestResponse;
import dev.kiln.http.RestService;
import dev.kiln.http.Router;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The OpenAI-compatible API over the served language models: {@code GET /v1/models[/{id}]}, {@code POST
 * /v1/chat/completions}, {@code POST /v1/completions} (both streamed as Server-Sent Events when asked) and {@code POST
 * /v1/embeddings}, with OpenAI's error envelope. A generation whose client disconnects, streamed or not, is cancelled
 * and its slot freed. Requests queue on their model ({@link ServedLanguageModel#submit}): a full queue is answered 503
 * with OpenAI's envelope ({@code server_error}; OpenAI's clients retry it), a key's own share of it full 429 with
 * Retry-After, a request that waited past the deadline 504; the model charges their tokens to the caller, not this
 * adapter.
 */
public final class OpenAiService implements RestService {
  private static final int DEFAULT_MAX_TOKENS = 256;

  private final LanguageModels models;
  private final JsonLimits limits;

  public OpenAiService(LanguageModels models) {
    this(models, JsonLimits.defaults());
  }

  /**
   * @param limits bounds on {@code response_format} schemas and tool parameters
   */
  public OpenAiService(LanguageModels models, JsonLimits limits) {
    this.models = models;
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  @Override
  public void addRoutes(Router r) {
    Access invokeBodyModel = new Access(Permission.INVOKE, q -> OpenAiRequests.modelOf(ManagementApi.body(q)));
    r.add(HttpMethod.GET, "/v1/models", Access.AUTHENTICATED, ErrorStyle.OPENAI, q -> done(list(q.grants())));
    r.add(HttpMethod.GET, "/v1/models/([^/]+)", Access.invoke(0), ErrorStyle.OPENAI, q -> done(model(q.param(0))));
    r.add(HttpMethod.POST, "/v1/chat/completions", invokeBodyModel, ErrorStyle.OPENAI, q -> generate(q, true));
    r.add(HttpMethod.POST, "/v1/completions", invokeBodyModel, ErrorStyle.OPENAI, q -> generate(q, false));
    r.add(HttpMethod.POST, "/v1/embeddings", invokeBodyModel, ErrorStyle.OPENAI, this::embeddings);
  }

  /** The language models the caller may call or change. */
  private ObjectNode list(Grants grants) {
    ObjectNode out = OpenAiRequests.JSON.createObjectNode().put("object", "list");
    ArrayNode data = out.putArray("data");
    models.all().stream().filter(s -> grants.sees(s.name())).forEach(s -> data.add(modelCard(s.name())));
    return out;
  }

  private ObjectNode model(String id) {
    served(id);
    return modelCard(id);
  }

  private static ObjectNode modelCard(String id) {
    return OpenAiRequests.JSON
        .createObjectNode()
        .put("id", id)
        .put("object", "model")
        .put("created", 0)
        .put("owned_by", "kiln");
  }

  private ServedLanguageModel served(String id) {
    return models
        .get(id)
        .map(LanguageModels.Served::model)
        .orElseThrow(() -> KilnException.notFound("The model '" + id + "' does not exist"));
  }

  /**
   * Decodes the request and queues it on the model: templating, tokenising and generating run on the model's own slot
   * threads, never here (this may be an event loop). A full queue is refused here, before any answer starts.
   */
  private CompletableFuture<RestResponse> generate(RestRequest q, boolean chat) {
    JsonNode body = OpenAiRequests.body(ManagementApi.body(q));
    String modelName = OpenAiRequests.model(body);
    ServedLanguageModel model = served(modelName);
    // max_tokens up to the server's cap (at most the context length): above it, 400 naming the cap.
    int cap = model.maxTokens();
    OpenAiRequests.Sampling s = OpenAiRequests.sampling(body, Math.min(DEFAULT_MAX_TOKENS, cap), cap);
    OpenAiStructured structured = OpenAiStructured.of(body, chat, limits);
    Prompt prompt =
        chat
            ? new Prompt.Chat(OpenAiRequests.messages(body, model.contextLength()), structured.tools())
            : new Prompt.Text(OpenAiRequests.prompt(body));
    OpenAiChoosing choosing = OpenAiChoosing.read(body, chat, model.maxChoices());
    Generation g =
        new Generation("", s.maxTokens(), s.temperature(), s.topP(), s.seed(), s.stop(), s.topK(), choosing.logprobs())
            .withGrammar(structured.grammar());
    String id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
    long created = System.currentTimeMillis() / 1000;
    OpenAiChunks chunks = new OpenAiChunks(id, created, modelName, chat);
    if (s.stream()) {
      return stream(q, model, prompt, g, choosing.n(), chunks, structured.readsCalls(), s.includeUsage());
    }
    CompletableFuture<RestResponse> answer = new CompletableFuture<>();
    LanguageModel.Handle handle =
        model.submit(
            prompt,
            g,
            choosing.n(),
            q.principal(),
            ChoiceAnswers.whole(choosing.n(), chunks, structured.readsCalls(), choosing, answer));
    // The HTTP layer cancels the answer when the client goes away: stop decoding and free the slots, as streams do.
    answer.whenComplete((r, e) -> {
      if (answer.isCancelled()) {
        handle.cancel();
      }
    });
    return answer;
  }

  /**
   * A streamed answer. Its 200 and SSE headers go out once the generation has started, so a prompt too long, a deadline
   * passed or an unload before then is answered with its own status, as a whole answer's would be.
   */
  private static CompletableFuture<RestResponse> stream(
      RestRequest q,
      ServedLanguageModel model,
      Prompt prompt,
      Generation g,
      int n,
      OpenAiChunks chunks,
      boolean readsCalls,
      boolean usage) {
    PendingStream out = new PendingStream();
    if (chunks.chat()) {
      for (int i = 0; i < n; i++) {
        out.write(ChoiceAnswers.data(ChoiceAnswers.indexed(chunks.roleChunk(), i, chunks, List.of(), 0)));
      }
    }
    CompletableFuture<RestResponse> head = new CompletableFuture<>();
    CompletableFuture<LanguageModel.Handle> handle = new CompletableFuture<>();
    // The client went away: stop decoding and free the slots (or the queue places).
    RestResponse events =
        RestResponse.events(stream -> out.attach(stream, () -> handle.thenAccept(LanguageModel.Handle::cancel)));
    handle.complete(
        model.submit(
            prompt, g, n, q.principal(), ChoiceAnswers.streamed(n, out, chunks, readsCalls, usage, head, events)));
    head.whenComplete((r, e) -> {
      if (head.isCancelled()) {
        handle.join().cancel();
      }
    });
    return head;
  }

  private CompletableFuture<RestResponse> embeddings(RestRequest q) {
    JsonNode body = OpenAiRequests.body(ManagementApi.body(q));
    String modelName = OpenAiRequests.model(body);
    ServedLanguageModel model = served(modelName);
    List<String> inputs = OpenAiRequests.inputs(body);
    OptionalInt dimensions = OpenAiRequests.dimensions(body);
    String format = body.path("encoding_format").asText("float");
    if (!format.equals("float") && !format.equals("base64")) {
      throw KilnException.invalid("'encoding_format' must be \"float\" or \"base64\"");
    }
    CompletableFuture<Embeddings> queued = model.embed(inputs, q.principal());
    CompletableFuture<RestResponse> answer =
        queued.thenApply(embedded -> {
          List<float[]> vectors = embedded.vectors();
          if (dimensions.isPresent() && dimensions.getAsInt() != vectors.get(0).length) {
            throw KilnException.invalid(
                "'dimensions': "
                    + dimensions.getAsInt()
                    + " (expected: "
                    + vectors.get(0).length
                    + ", this model's width; vectors are not shortened)");
          }
          ObjectNode out = OpenAiRequests.JSON.createObjectNode().put("object", "list");
          ArrayNode data = out.putArray("data");
          for (int i = 0; i < vectors.size(); i++) {
            ObjectNode e = data.addObject().put("object", "embedding").put("index", i);
            if (format.equals("base64")) {
              // OpenAI's SDKs ask for this by default: the float32 values, little-endian, base64-encoded.
              ByteBuffer b = ByteBuffer.allocate(vectors.get(i).length * 4).order(ByteOrder.LITTLE_ENDIAN);
              b.asFloatBuffer().put(vectors.get(i));
              e.put("embedding", Base64.getEncoder().encodeToString(b.array()));
            } else {
              ArrayNode v = e.putArray("embedding");
              for (float f : vectors.get(i)) {
                v.add(f);
              }
            }
          }
          out.put("model", modelName);
          out.putObject("usage").put("prompt_tokens", embedded.tokens()).put("total_tokens", embedded.tokens());
          return json(out);
        });
    answer.whenComplete((r, e) -> {
      if (answer.isCancelled()) {
        queued.cancel(false); // the client went away: leave the queue
      }
    });
    return answer;
  }

  private static RestResponse json(JsonNode body) {
    return RestResponse.json(HttpResponseStatus.OK, body.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static CompletableFuture<RestResponse> done(JsonNode body) {
    return CompletableFuture.completedFuture(json(body));
  }

  private static CompletableFuture<RestResponse> done(RestResponse r) {
    return CompletableFuture.completedFuture(r);
  }
}
