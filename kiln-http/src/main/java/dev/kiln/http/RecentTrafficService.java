package dev.kiln.http;

import dev.kiln.core.metrics.RecentTraffic;
import dev.kiln.core.metrics.TrafficPoint;
import dev.kiln.core.metrics.TrafficWindow;
import dev.kiln.core.serving.InferenceCore;
import dev.kiln.core.serving.ModelCounts;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import java.net.URL;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * {@code GET /api/v1/metrics/recent}: this replica's health and its last 15 minutes of traffic ({@link RecentTraffic}),
 * per model and in total, for a console's overview. Any key may ask; it sees the models it may call or change, and
 * their total, nothing of the others (their traffic is not in the total, their states not in the counts). Per replica
 * by nature, as {@code /metrics} is: the answer names the replica that gave it.
 */
public final class RecentTrafficService implements RestService {
  public static final String PATH = "/api/v1/metrics/recent";

  private final InferenceCore core;
  private final RecentTraffic traffic;
  private final Clock clock;
  private final Instant started;
  private final String hostname;
  private final long pid = ProcessHandle.current().pid();

  public RecentTrafficService(InferenceCore core, RecentTraffic traffic, Clock clock) {
    this.core = Objects.requireNonNull(core, "core");
    this.traffic = Objects.requireNonNull(traffic, "traffic");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.started = clock.instant();
    this.hostname = hostname();
  }

  /** The answer's shape (snake_case on the wire). */
  record Replica(String id, String hostname, long pid, Instant started, long uptimeSeconds) {}

  record Health(boolean live, boolean ready, ModelCounts models) {}

  record Recent(
      Replica replica,
      Health health,
      long intervalSeconds,
      long spanSeconds,
      List<TrafficPoint> total,
      Map<String, List<TrafficPoint>> models) {}

  @Override
  public void addRoutes(Router router) {
    router.add(
        HttpMethod.GET,
        PATH,
        Access.AUTHENTICATED,
        q -> ManagementApi.json(q, HttpResponseStatus.OK, () -> recent(q.grants()::sees)));
  }

  private Recent recent(Predicate<String> shown) {
    Instant now = clock.instant();
    Replica replica =
        new Replica(hostname + "/" + pid, hostname, pid, started, Duration.between(started, now).toSeconds());
    Health health = new Health(core.live(), core.ready(), ModelCounts.of(core.index(false), shown));
    TrafficWindow w = traffic.window(shown);
    return new Recent(replica, health, w.interval().toSeconds(), w.span().toSeconds(), w.total(), w.models());
  }

  @Override
  public Optional<URL> openApi() {
    return Optional.of(RecentTrafficService.class.getResource("recent-traffic.json"));
  }

  /** The machine's name (a pod's name on Kubernetes), read once; the loopback name where it cannot be resolved. */
  private static String hostname() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
