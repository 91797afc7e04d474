// Acceptance test of Kiln's OpenAI-compatible API with the official `openai` npm package.
// Usage: KILN_URL=http://127.0.0.1:8000 KILN_MODEL=tiny [KILN_API_KEY=kiln_...] node acceptance.mjs
// Prints one line per check and exits non-zero on the first failure.
import OpenAI from "openai";

const model = process.env.KILN_MODEL;
const client = new OpenAI({
  baseURL: `${process.env.KILN_URL}/v1`,
  apiKey: process.env.KILN_API_KEY ?? "no-key",
  maxRetries: 0,
});

function check(what, ok, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}: ${detail}`);
  if (!ok) process.exit(1);
}

const models = await client.models.list();
const ids = [];
for await (const m of models) ids.push(m.id);
check("models.list", ids.includes(model), JSON.stringify(ids));
const one = await client.models.retrieve(model);
check("models.retrieve", one.id === model, one.id);

const chat = await client.chat.completions.create({
  model, messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hello" }],
  max_tokens: 8, temperature: 0, seed: 1,
});
check("chat.completions", typeof chat.choices[0].message.content === "string" && chat.usage.completion_tokens > 0
  && chat.usage.total_tokens === chat.usage.prompt_tokens + chat.usage.completion_tokens,
  `${chat.choices[0].finish_reason}, usage ${JSON.stringify(chat.usage)}`);

const stream = await client.chat.completions.create({
  model, messages: [{ role: "user", content: "hello world" }], max_tokens: 8, temperature: 0, stream: true,
  stream_options: { include_usage: true },
});
let text = "", chunks = 0, finish = null, usage = null;
const streamIds = new Set();
for await (const chunk of stream) {
  chunks++;
  streamIds.add(chunk.id);
  if (chunk.choices.length > 0) {
    text += chunk.choices[0].delta?.content ?? "";
    finish = chunk.choices[0].finish_reason ?? finish;
  }
  if (chunk.usage) usage = chunk.usage;
}
check("chat.completions stream", chunks > 2 && streamIds.size === 1 && finish !== null && usage !== null,
  `${chunks} chunks, one id, finish ${finish}, usage ${JSON.stringify(usage)}`);

const completion = await client.completions.create({ model, prompt: "hello", max_tokens: 5, temperature: 0 });
check("completions", completion.choices[0].finish_reason === "length" && completion.usage.completion_tokens === 5,
  `${JSON.stringify(completion.choices[0].text)}, ${completion.choices[0].finish_reason}`);

const emb = await client.embeddings.create({ model, input: ["hello", "world"] });
check("embeddings", emb.data.length === 2 && emb.data[0].embedding.length > 0,
  `${emb.data.length} vectors of ${emb.data[0].embedding.length}`);

// Structured output: a JSON schema, through the SDK's own parsing helpers, whole and streamed.
const person = {
  type: "json_schema",
  json_schema: {
    name: "person", strict: true,
    schema: {
      type: "object", additionalProperties: false, required: ["name", "age", "tags"],
      properties: {
        name: { type: "string", maxLength: 12 }, age: { type: "integer", minimum: 0 },
        tags: { type: "array", items: { enum: ["clay", "glaze"] }, maxItems: 3 },
      },
    },
  },
};
const validPerson = (p) => p && typeof p.name === "string" && p.name.length <= 12 && Number.isInteger(p.age)
  && p.age >= 0 && Array.isArray(p.tags) && p.tags.every((t) => t === "clay" || t === "glaze")
  && Object.keys(p).length === 3;
const parsed = await client.chat.completions.parse({
  model, messages: [{ role: "user", content: "a potter" }], max_tokens: 300, seed: 3, response_format: person,
});
check("json_schema", parsed.choices[0].finish_reason === "stop" && validPerson(parsed.choices[0].message.parsed),
  parsed.choices[0].message.content);
const schemaStream = client.chat.completions.stream({
  model, messages: [{ role: "user", content: "a potter" }], max_tokens: 300, seed: 4, response_format: person,
});
const streamedPerson = await schemaStream.finalChatCompletion();
check("json_schema stream", validPerson(JSON.parse(streamedPerson.choices[0].message.content)),
  streamedPerson.choices[0].message.content);

// Tool calls: the model calls, the caller answers with a tool message, the model answers; whole and streamed.
const tools = [{
  type: "function",
  function: {
    name: "get_weather", description: "The weather in a city now",
    parameters: {
      type: "object", additionalProperties: false, required: ["city", "unit"],
      properties: { city: { type: "string", maxLength: 16 }, unit: { enum: ["c", "f"] } },
    },
  },
}];
const validArgs = (a) => { const x = JSON.parse(a); return typeof x.city === "string" && ["c", "f"].includes(x.unit); };
const ask = [{ role: "user", content: "weather in Paris?" }];
for (const streamed of [false, true]) {
  const req = { model, messages: ask, tools, tool_choice: "required", parallel_tool_calls: false, max_tokens: 200 };
  const first = streamed
    ? await client.chat.completions.stream(req).finalChatCompletion()
    : await client.chat.completions.create(req);
  const msg = first.choices[0].message;
  const call = msg.tool_calls?.[0];
  check(`tool call${streamed ? " stream" : ""}`, first.choices[0].finish_reason === "tool_calls"
    && msg.tool_calls.length === 1 && call.id.startsWith("call_") && call.function.name === "get_weather"
    && validArgs(call.function.arguments), JSON.stringify(msg.tool_calls));
  const next = {
    model, tools, max_tokens: 6,
    messages: [...ask, msg, { role: "tool", tool_call_id: call.id, content: "18 C, sunny" }],
  };
  const answer = streamed
    ? await client.chat.completions.stream(next).finalChatCompletion()
    : await client.chat.completions.create(next);
  check(`tool answer${streamed ? " stream" : ""}`, typeof answer.choices[0].message.content === "string"
    && answer.choices[0].message.content.length > 0 && !answer.choices[0].message.tool_calls?.length,
    JSON.stringify(answer.choices[0].message.content));
}
try {
  await client.chat.completions.create({
    model, messages: ask, response_format: { type: "json_schema", json_schema: { name: "x", schema: {
      type: "string", format: "email" } } },
  });
  check("unsupported schema", false, "no error");
} catch (e) {
  check("unsupported schema", e.status === 400 && e.error?.message?.includes("format (at /)"), `${e.status} ${e.error?.message}`);
}

// Log probabilities: chat's shape (content[] with token, logprob, bytes, top_logprobs[]), completions' legacy one.
const lp = await client.chat.completions.create({
  model, messages: [{ role: "user", content: "hello" }], max_tokens: 6, temperature: 0,
  logprobs: true, top_logprobs: 3,
});
const entries = lp.choices[0].logprobs?.content ?? [];
check("chat logprobs", entries.length === lp.usage.completion_tokens
  && entries.every(t => t.logprob <= 0 && Array.isArray(t.bytes) && t.top_logprobs.length === 3
    && t.top_logprobs[0].logprob >= t.top_logprobs[2].logprob && t.top_logprobs[0].token === t.token)
  && entries.map(t => t.token).join("") === lp.choices[0].message.content,
  `${entries.length} tokens, first ${JSON.stringify(entries[0])}`);

const legacy = await client.completions.create({ model, prompt: "hello", max_tokens: 5, temperature: 0, logprobs: 2 });
const ll = legacy.choices[0].logprobs;
check("completions logprobs", ll.tokens.length === 5 && ll.token_logprobs.every(x => x <= 0)
  && ll.top_logprobs.length === 5 && ll.text_offset[0] === 0 && ll.tokens.join("") === legacy.choices[0].text,
  `${JSON.stringify(ll.tokens)} ${JSON.stringify(ll.token_logprobs)}`);

let streamedTokens = 0;
for await (const chunk of await client.chat.completions.create({
  model, messages: [{ role: "user", content: "hello" }], max_tokens: 6, temperature: 0, logprobs: true, stream: true,
})) {
  streamedTokens += chunk.choices[0]?.logprobs?.content?.length ?? 0;
}
check("chat logprobs stream", streamedTokens === entries.length, `${streamedTokens} tokens streamed`);

// Several choices: n = 3, each its index, reproducible by seed; usage counts every choice's tokens.
const three = { model, messages: [{ role: "user", content: "hello world" }], max_tokens: 6, temperature: 1.5, seed: 7, n: 3 };
const many = await client.chat.completions.create(three);
const again = await client.chat.completions.create(three);
const texts = many.choices.map(c => c.message.content);
check("n=3", many.choices.length === 3 && many.choices.every((c, i) => c.index === i && c.finish_reason)
  && JSON.stringify(texts) === JSON.stringify(again.choices.map(c => c.message.content))
  && many.usage.completion_tokens >= 3,
  `${JSON.stringify(texts)}, usage ${JSON.stringify(many.usage)}`);

const byIndex = ["", "", ""];
const finished = new Set();
let manyUsage = null;
for await (const chunk of await client.chat.completions.create({
  ...three, stream: true, stream_options: { include_usage: true },
})) {
  for (const c of chunk.choices) {
    byIndex[c.index] += c.delta?.content ?? "";
    if (c.finish_reason) finished.add(c.index);
  }
  if (chunk.usage) manyUsage = chunk.usage;
}
check("n=3 stream", JSON.stringify(byIndex) === JSON.stringify(texts) && finished.size === 3
  && manyUsage?.completion_tokens === many.usage.completion_tokens,
  `${JSON.stringify(byIndex)}, usage ${JSON.stringify(manyUsage)}`);

// All three together: a JSON schema, log probabilities and two choices, whole and streamed.
const together = { model, messages: [{ role: "user", content: "a potter" }], max_tokens: 300, seed: 5, n: 2,
  logprobs: true, top_logprobs: 2, response_format: person };
const both = await client.chat.completions.create(together);
check("json_schema n=2 logprobs", both.choices.length === 2 && both.choices.every((c) =>
  c.finish_reason === "stop" && validPerson(JSON.parse(c.message.content))
  && c.logprobs.content.map((t) => t.token).join("") === c.message.content), JSON.stringify(both.choices.map((c) => c.message.content)));
const bothText = ["", ""];
let bothTokens = 0;
for await (const chunk of await client.chat.completions.create({ ...together, stream: true })) {
  for (const c of chunk.choices) {
    bothText[c.index] += c.delta?.content ?? "";
    bothTokens += c.logprobs?.content?.length ?? 0;
  }
}
check("json_schema n=2 logprobs stream", JSON.stringify(bothText) === JSON.stringify(both.choices.map((c) => c.message.content))
  && bothTokens === both.usage.completion_tokens, `${JSON.stringify(bothText)} ${bothTokens} tokens`);

try {
  await client.chat.completions.create({ ...three, n: 9 });
  check("n above the bound", false, "no error");
} catch (e) {
  check("n above the bound", e.status === 400 && /1 to 8/.test(e.error?.message), `${e.status} ${e.error?.message}`);
}

try {
  await client.chat.completions.create({ model, messages: [], max_tokens: 4 });
  check("bad request", false, "no error");
} catch (e) {
  check("bad request", e.status === 400 && typeof e.error?.message === "string", `${e.status} ${e.error?.message}`);
}
try {
  await client.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "x" }] });
  check("unknown model", false, "no error");
} catch (e) {
  check("unknown model", e.status === 404 && e.code === "model_not_found", `${e.status} ${e.code}`);
}
console.log("openai acceptance: all checks passed");
