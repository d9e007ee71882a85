"""Palisade through the official OpenAI Python SDK, as an application would
call it: mutual TLS on the HTTP client, the JWT as the API key. Prints one
JSON object with what it got; exits non-zero on any error."""
import json
import os
import ssl
import sys

import openai

# The SDK's own HTTP client class (httpx, or httpx2 in newer releases)
# with a TLS context holding the private CA and the client certificate.
tls = ssl.create_default_context(cafile=os.environ["PALISADE_CA"])
tls.load_cert_chain(os.environ["PALISADE_CERT"], os.environ["PALISADE_KEY"])
http = openai.DefaultHttpxClient(verify=tls)
client = openai.OpenAI(
    base_url=os.environ["PALISADE_BASE_URL"], api_key=os.environ["PALISADE_TOKEN"], http_client=http
)
model = os.environ["PALISADE_MODEL"]
messages = [{"role": "user", "content": "Is Llama 4 open source?"}]

models = [m.id for m in client.models.list()]
chat = client.chat.completions.create(model=model, messages=messages, max_tokens=12, temperature=0)
stream = client.chat.completions.create(
    model=model, messages=messages, max_tokens=12, temperature=0, stream=True,
    stream_options={"include_usage": True},
)
streamed, usage, finish = "", None, None
for chunk in stream:
    if chunk.usage is not None:
        usage = chunk.usage.model_dump()
    for choice in chunk.choices:
        streamed += choice.delta.content or ""
        finish = choice.finish_reason or finish
scored = client.chat.completions.create(
    model=model, messages=messages, max_tokens=6, temperature=0, logprobs=True, top_logprobs=2
)
logprobs = [
    [t.token, t.logprob, [a.token for a in t.top_logprobs]] for t in scored.choices[0].logprobs.content
]
completion = client.completions.create(model=model, prompt="Meta's release", max_tokens=6, temperature=0)
try:
    client.chat.completions.create(model=model, messages=[], max_tokens=4)
    refused = None
except openai.BadRequestError as e:
    refused = e.body
json.dump(
    {
        "models": models,
        "chat": chat.choices[0].message.content,
        "chat_finish": chat.choices[0].finish_reason,
        "chat_usage": chat.usage.model_dump(),
        "streamed": streamed,
        "stream_finish": finish,
        "stream_usage": usage,
        "completion": completion.choices[0].text,
        "completion_usage": completion.usage.model_dump(),
        "refused": refused,
        "logprobs": logprobs,
        "logprobs_usage": scored.usage.model_dump(),
    },
    sys.stdout,
)
