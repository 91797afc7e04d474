// Set-up for the model pages' browser tests: a real ONNX model pushed to the registry through the API.
import assert from 'node:assert/strict';
import {api} from './lib.mjs';

/** ExampleModels.addSub(): a, b FP32 [N,4] → sum, diff; 168 bytes of ONNX, pushed as registry versions. */
const ADD_SUB_ONNX = Buffer.from(
  'CAgSBGtpbG46mQEKFwoBYQoBYhIDc3VtGgVBZGRfMCIDQWRkChgKAWEKAWISBGRpZmYaBVN1Yl8xIgNTdWISB2FkZF9zdWJaFAoBYRIPCg0IARIJ' +
  'CgMSAU4KAggEWhQKAWISDwoNCAESCQoDEgFOCgIIBGIWCgNzdW0SDwoNCAESCQoDEgFOCgIIBGIXCgRkaWZmEg8KDQgBEgkKAxIBTgoCCARCAhAN',
  'base64');

/** Pushes add_sub's bytes as the next version of a registry model; returns the version number. */
export async function pushVersion(name, key) {
  const res = await api('POST', `/api/v1/models/${name}/versions`, new Uint8Array(ADD_SUB_ONNX), key);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.version;
}
