package dev.kiln.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ApiSchema} fails what the API server would refuse: each case breaks one field of a valid Deployment (the first
 * case shows it valid) and expects a problem naming that field.
 */
class ApiSchemaBitesTest {
  private static final String DEPLOYMENT =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: kiln}
      spec:
        %s
        selector: {matchLabels: {app: kiln}}
        template:
          metadata: {labels: {app: kiln}}
          spec:
            containers:
              - %s
                image: kiln:latest
                ports: [{name: http, containerPort: %s}]
                resources: {limits: {memory: %s}}
      """;

  @Test
  void theUnbrokenDeploymentValidates() throws Exception {
    assertThat(problems("replicas: 2", "name: kiln", "8000", "4Gi")).isEmpty();
  }

  @Test
  void aFieldOfTheWrongTypeFails() throws Exception {
    assertThat(problems("replicas: two", "name: kiln", "8000", "4Gi"))
        .anySatisfy(p -> assertThat(p).contains("spec.replicas", "expected integer"));
    // Gson alone would read "2" as 2; the API server refuses a string there, and so does this.
    assertThat(problems("replicas: \"2\"", "name: kiln", "8000", "4Gi"))
        .anySatisfy(p -> assertThat(p).contains("spec.replicas", "expected integer"));
    assertThat(problems("replicas: 2", "name: kiln", "http", "4Gi"))
        .anySatisfy(p -> assertThat(p).contains("containerPort", "expected integer"));
    assertThat(problems("replicas: 2", "name: [kiln]", "8000", "4Gi"))
        .anySatisfy(p -> assertThat(p).contains("containers[0].name"));
    assertThat(problems("replicas: 2", "name: kiln", "8000", "4 gigabytes"))
        .anySatisfy(p -> assertThat(p).contains("limits.memory", "not a quantity"));
  }

  @Test
  void anUnknownFieldFails() throws Exception {
    assertThat(problems("replica: 2", "name: kiln", "8000", "4Gi"))
        .anySatisfy(p -> assertThat(p).contains("`replica`", "V1DeploymentSpec"));
    assertThat(problems("replicas: 2", "name: kiln\n" + " ".repeat(10) + "readOnlyRootFilesystem: true", "8000", "4Gi"))
        .anySatisfy(p -> assertThat(p).contains("`readOnlyRootFilesystem`", "V1Container"));
  }

  @Test
  void aMissingRequiredFieldFails() throws Exception {
    assertThat(problems("replicas: 2", "imagePullPolicy: Always", "8000", "4Gi"))
        .anySatisfy(p -> assertThat(p).contains("required field `name`"));
    JsonObject noSelector = deployment("replicas: 2", "name: kiln", "8000", "4Gi");
    noSelector.getAsJsonObject("spec").remove("selector");
    assertThat(ApiSchema.problems(noSelector)).anySatisfy(p -> assertThat(p).contains("required field `selector`"));
  }

  @Test
  void aKindWithoutASchemaFails() throws Exception {
    JsonObject o = deployment("replicas: 2", "name: kiln", "8000", "4Gi");
    o.addProperty("apiVersion", "apps/v1beta1");
    assertThat(ApiSchema.problems(o)).containsExactly("apps/v1beta1/Deployment: no schema for this kind and version");
  }

  private static List<String> problems(String spec, String container, String port, String memory) throws Exception {
    return ApiSchema.problems(deployment(spec, container, port, memory));
  }

  private static JsonObject deployment(String spec, String container, String port, String memory) throws Exception {
    return Kustomize.parse(DEPLOYMENT.formatted(spec, container, port, memory)).get(0);
  }
}
