"""Palisade through the official OpenAI Python SDK, as an application would
call it: mutual TLS on the HTTP client, the JWT as the API key. Prints one
JSON object with what it got; exits non-zero on any error."""
import json
import sys

import openai

from palisade_client import client, model

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
