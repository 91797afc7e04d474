package dev.kiln.deploy;

import static dev.kiln.deploy.Rendered.SERVICE_MONITOR;
import static dev.kiln.deploy.Rendered.at;
import static dev.kiln.deploy.Rendered.key;
import static dev.kiln.deploy.Rendered.one;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kiln.core.metrics.InferenceMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every kustomization under deploy/kubernetes renders, each built-in object validates against the Kubernetes API schema
 * of its kind and version ({@link ApiSchema}; the ServiceMonitor against its CRD in {@code ServiceMonitorSchemaTest}),
 * and the objects agree with Kiln and with each other: the grace period outlasts the drain, readiness is Kiln's
 * models-loaded endpoint, the autoscaler's metric is the gauge Kiln exports.
 */
class ManifestsTest {
  @ParameterizedTest
  @ValueSource(strings = {"overlays/single", "overlays/scaled", "prometheus-adapter"})
  void everyRenderedObjectValidatesAgainstTheApiSchemaOfItsKind(String folder) throws Exception {
    List<JsonObject> objects = Kustomize.render(folder);
    assertThat(objects).isNotEmpty();
    List<String> problems = new ArrayList<>();
    for (JsonObject o : objects) {
      if (!key(o).equals(SERVICE_MONITOR)) {
        problems.addAll(ApiSchema.problems(o));
      }
    }
    assertThat(problems).as(folder).isEmpty();
  }

  @Test
  void singleIsOneReplicaOnItsOwnVolumeAndNeverTwoPodsAtOnce() throws Exception {
    List<JsonObject> objects = Kustomize.render("overlays/single");
    assertThat(objects.stream().map(Rendered::key))
        .containsExactlyInAnyOrder(
            "v1/ConfigMap",
            "v1/Secret",
            "v1/Secret",
            "v1/Service",
            "v1/PersistentVolumeClaim",
            "apps/v1/Deployment",
            "policy/v1/PodDisruptionBudget",
            SERVICE_MONITOR);
    JsonObject spec = one(objects, "apps/v1/Deployment").getAsJsonObject("spec");
    assertThat(spec.get("replicas").getAsInt()).isEqualTo(1);
    assertThat(at(spec, "strategy.type").getAsString()).isEqualTo("Recreate");
    assertThat(stateVolume(spec).getAsJsonObject("persistentVolumeClaim").get("claimName").getAsString())
        .isEqualTo("kiln-state");
    assertThat(stateVolume(spec).has("emptyDir")).isFalse();
  }

  @Test
  void scaledSharesPostgresAndAnS3StoreKeepsOnlyCachesInEachPodAndScalesOnTheQueueGaugeKilnExports() throws Exception {
    List<JsonObject> objects = Kustomize.render("overlays/scaled");
    JsonObject spec = one(objects, "apps/v1/Deployment").getAsJsonObject("spec");
    assertThat(at(spec, "strategy.rollingUpdate.maxUnavailable").getAsInt()).isZero();
    // The autoscaler owns the count: a replicas field would reset it on every apply.
    assertThat(spec.has("replicas")).isFalse();
    JsonObject container = container(spec);
    assertThat(strings(container.getAsJsonArray("args")))
        .contains(
            "--database=$(KILN_DATABASE_URL)",
            "--database-user=$(KILN_DATABASE_USER)",
            "--store=$(KILN_STORE)",
            "--data=/var/lib/kiln/data");
    assertThat(secretOf(container, "KILN_DATABASE_PASSWORD")).startsWith("kiln-database");
    // The bucket and its credentials from the Secret kiln-store, as the variables the S3 client reads.
    for (String var : List.of("KILN_STORE", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) {
      assertThat(secretOf(container, var)).as(var).startsWith("kiln-store");
    }
    assertThat(objects.stream().map(Rendered::key)).contains("v1/Secret").doesNotContain("v1/PersistentVolumeClaim");
    // No shared volume: each pod's --data (caches only) is its own emptyDir; everything else is in PostgreSQL and S3.
    assertThat(stateVolume(spec).has("persistentVolumeClaim")).isFalse();
    assertThat(stateVolume(spec).getAsJsonObject("emptyDir").has("sizeLimit")).isTrue();
    assertThat(StreamSupport.stream(container.getAsJsonArray("volumeMounts").spliterator(), false))
        .anySatisfy(m -> {
          assertThat(m.getAsJsonObject().get("name").getAsString()).isEqualTo("state");
          assertThat(m.getAsJsonObject().get("mountPath").getAsString()).isEqualTo("/var/lib/kiln/data");
        });

    JsonObject hpa = one(objects, "autoscaling/v2/HorizontalPodAutoscaler");
    assertThat(at(hpa, "spec.scaleTargetRef.name").getAsString()).isEqualTo("kiln");
    JsonObject metric = at(hpa, "spec.metrics").getAsJsonArray().get(0).getAsJsonObject();
    assertThat(metric.get("type").getAsString()).isEqualTo("Pods");
    String name = at(metric, "pods.metric.name").getAsString();

    // The adapter rule serves that name, from the series of that name...
    String rule =
        at(one(Kustomize.render("prometheus-adapter"), "v1/ConfigMap"), "data")
            .getAsJsonObject()
            .get("config.yaml")
            .getAsString();
    assertThat(rule).contains("seriesQuery: '" + name + "{", "as: \"" + name + "\"");
    // ...which is what Kiln's /metrics calls the requests waiting in a model's queue.
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (InferenceMetrics.Binding b = new InferenceMetrics(registry).bind("mnist", 1, () -> 7)) {
      assertThat(registry.scrape()).containsPattern("(?m)^" + name + "\\{[^}]*model=\"mnist\"[^}]*\\} 7\\.0$");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"overlays/single", "overlays/scaled"})
  void podsDrainBeforeTheyAreKilledAndAreReadyOnlyWithModelsLoaded(String folder) throws Exception {
    List<JsonObject> objects = Kustomize.render(folder);
    JsonObject pod = at(one(objects, "apps/v1/Deployment"), "spec.template.spec").getAsJsonObject();
    JsonObject container = pod.getAsJsonArray("containers").get(0).getAsJsonObject();
    Duration drain = Duration.parse("PT" + at(one(objects, "v1/ConfigMap"), "data.KILN_DRAIN_TIMEOUT").getAsString());
    long preStop = at(container, "lifecycle.preStop.sleep.seconds").getAsLong();
    assertThat(strings(container.getAsJsonArray("args"))).contains("--drain-timeout=$(KILN_DRAIN_TIMEOUT)");
    assertThat(pod.get("terminationGracePeriodSeconds").getAsLong()).isGreaterThan(preStop + drain.toSeconds());

    assertThat(at(container, "readinessProbe.httpGet.path").getAsString()).isEqualTo("/v2/health/ready");
    assertThat(at(container, "livenessProbe.httpGet.path").getAsString()).isEqualTo("/v2/health/live");
    assertThat(at(container, "startupProbe.httpGet.path").getAsString()).isEqualTo("/v2/health/live");

    assertThat(at(pod, "securityContext.runAsNonRoot").getAsBoolean()).isTrue();
    assertThat(at(container, "securityContext.readOnlyRootFilesystem").getAsBoolean()).isTrue();
    assertThat(at(container, "securityContext.allowPrivilegeEscalation").getAsBoolean()).isFalse();
    List<String> volumes = names(pod.getAsJsonArray("volumes"));
    assertThat(names(container.getAsJsonArray("volumeMounts"))).isNotEmpty().allMatch(volumes::contains);

    JsonObject service = one(objects, "v1/Service");
    assertThat(names(at(service, "spec.ports").getAsJsonArray())).containsExactly("http", "grpc");
    assertThat(names(container.getAsJsonArray("ports"))).containsExactly("http", "grpc");
    assertThat(at(service, "spec.ports").getAsJsonArray())
        .allSatisfy(p -> assertThat(p.getAsJsonObject().has("appProtocol")).isTrue());
  }

  @ParameterizedTest
  @ValueSource(strings = {"overlays/single", "overlays/scaled"})
  void everySelectorAndReferenceFindsItsTarget(String folder) throws Exception {
    // Valid against the schema is not enough: a selector that matches nothing leaves a Service without endpoints.
    List<JsonObject> objects = Kustomize.render(folder);
    JsonObject deployment = one(objects, "apps/v1/Deployment");
    Map<String, String> podLabels = labels(at(deployment, "spec.template.metadata.labels"));
    JsonObject service = one(objects, "v1/Service");
    assertThat(podLabels)
        .containsAllEntriesOf(labels(at(deployment, "spec.selector.matchLabels")))
        .containsAllEntriesOf(labels(at(service, "spec.selector")))
        .containsAllEntriesOf(labels(at(one(objects, "policy/v1/PodDisruptionBudget"), "spec.selector.matchLabels")));
    JsonObject monitor = one(objects, SERVICE_MONITOR);
    assertThat(labels(at(service, "metadata.labels")))
        .containsAllEntriesOf(labels(at(monitor, "spec.selector.matchLabels")));
    List<String> servicePorts = names(at(service, "spec.ports").getAsJsonArray());
    for (JsonElement endpoint : at(monitor, "spec.endpoints").getAsJsonArray()) {
      assertThat(servicePorts).contains(endpoint.getAsJsonObject().get("port").getAsString());
    }
    List<String> containerPorts = names(container(deployment.getAsJsonObject("spec")).getAsJsonArray("ports"));
    for (JsonElement port : at(service, "spec.ports").getAsJsonArray()) {
      assertThat(containerPorts).contains(port.getAsJsonObject().get("targetPort").getAsString());
    }
    for (JsonObject hpa : objects.stream().filter(o -> key(o).endsWith("/HorizontalPodAutoscaler")).toList()) {
      assertThat(at(hpa, "spec.scaleTargetRef.kind").getAsString()).isEqualTo("Deployment");
      assertThat(at(hpa, "spec.scaleTargetRef.name")).isEqualTo(at(deployment, "metadata.name"));
    }
  }

  private static Map<String, String> labels(JsonElement map) {
    Map<String, String> labels = new HashMap<>();
    map.getAsJsonObject().entrySet().forEach(e -> labels.put(e.getKey(), e.getValue().getAsString()));
    return labels;
  }

  private static JsonObject container(JsonObject deploymentSpec) {
    return at(deploymentSpec, "template.spec.containers").getAsJsonArray().get(0).getAsJsonObject();
  }

  /** The name of the Secret that the container's variable {@code var} comes from. */
  private static String secretOf(JsonObject container, String var) {
    for (JsonElement e : container.getAsJsonArray("env")) {
      if (e.getAsJsonObject().get("name").getAsString().equals(var)) {
        return at(e.getAsJsonObject(), "valueFrom.secretKeyRef.name").getAsString();
      }
    }
    throw new AssertionError("no variable " + var);
  }

  private static JsonObject stateVolume(JsonObject deploymentSpec) {
    for (JsonElement v : at(deploymentSpec, "template.spec.volumes").getAsJsonArray()) {
      if (v.getAsJsonObject().get("name").getAsString().equals("state")) {
        return v.getAsJsonObject();
      }
    }
    throw new AssertionError("no state volume");
  }

  private static List<String> strings(JsonArray a) {
    return StreamSupport.stream(a.spliterator(), false).map(JsonElement::getAsString).toList();
  }

  private static List<String> names(JsonArray a) {
    return StreamSupport.stream(a.spliterator(), false)
        .map(e -> e.getAsJsonObject().get("name").getAsString())
        .toList();
  }
}
