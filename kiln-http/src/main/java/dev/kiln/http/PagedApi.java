package dev.kiln.http;

import dev.kiln.core.paging.Page;
import dev.kiln.core.paging.PageRequest;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Paged lists under {@code /api/v1}: the query parameters {@code limit} and {@code offset}, and the answer, a JSON
 * array (the shape the lists had before they were paged, so old clients read it unchanged) with the whole list's size
 * in header {@value #TOTAL}.
 */
public final class PagedApi {
  /** The response header with how many items the whole (filtered) list holds. */
  public static final String TOTAL = "x-total-count";

  private PagedApi() {}

  /**
   * The page a caller asked for, empty when it named neither {@code limit} nor {@code offset}.
   *
   * @throws dev.kiln.core.error.KilnException INVALID_ARGUMENT (400) naming the parameter: not an integer, {@code
   *     limit} outside 1..{@code max}, a negative {@code offset}
   */
  public static Optional<PageRequest> requested(RestRequest q, int max) {
    if (q.query("limit").isEmpty() && q.query("offset").isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(page(q, Integer.MAX_VALUE, max));
  }

  /** The page a caller asked for, {@code defaultLimit} items from the start where it named none. */
  public static PageRequest page(RestRequest q, int defaultLimit, int max) {
    int limit = q.intQuery("limit", defaultLimit, 1, max);
    int offset = q.intQuery("offset", 0, 0, Integer.MAX_VALUE);
    return new PageRequest(limit, offset);
  }

  /** Runs {@code page} off the event loop and answers its items as a JSON array, its total in {@value #TOTAL}. */
  public static CompletableFuture<RestResponse> json(RestRequest q, Supplier<? extends Page<?>> page) {
    return CompletableFuture.supplyAsync(
        () -> {
          Page<?> p = page.get();
          return new RestResponse(
              HttpResponseStatus.OK,
              "application/json",
              Unpooled.wrappedBuffer(ApiJson.write(p.items())),
              Map.of(TOTAL, Long.toString(p.total())));
        },
        q.blocking());
  }
}
