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
