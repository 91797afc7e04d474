// Validates custom resources against their schema: node validate.mjs objects.json (a JSON array of objects).
// Prints "ok KIND NAME" or "invalid KIND NAME: PROBLEMS" per object; exits 1 if any is invalid or has no schema.
import { readFileSync } from "node:fs";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";

const models = { "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor };
let failed = false;
for (const object of JSON.parse(readFileSync(process.argv[2], "utf8"))) {
  const key = `${object.apiVersion}/${object.kind}`;
  const name = `${key} ${object.metadata?.name}`;
  const Model = models[key];
  if (!Model) {
    console.log(`invalid ${name}: no schema for this kind and version`);
    failed = true;
    continue;
  }
  try {
    new Model(object).validate();
    console.log(`ok ${name}`);
  } catch (e) {
    console.log(`invalid ${name}: ${e.message}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
