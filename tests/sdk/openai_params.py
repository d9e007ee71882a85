"""Every parameter of the OpenAI SDK's chat-completion request type, sent
one at a time with a value an app would send: prints, per parameter, the
status and what came back, so the test can check each is honoured or
refused by name. A parameter this script has no value for is reported as
such (a newer SDK: the test then fails until it is covered)."""
import json
import sys

import openai
from openai.types.chat import completion_create_params

from palisade_client import client, model

messages = [{"role": "user", "content": "Name a colour."}]
schema = {"type": "object", "properties": {"colour": {"enum": ["red", "blue"]}},
          "required": ["colour"], "additionalProperties": False}
tool = {"type": "function", "function": {"name": "pick", "parameters": schema}}
values = {
    "messages": messages,
    "model": model,
    "audio": {"voice": "alloy", "format": "wav"},
    "frequency_penalty": 0.5,
    "function_call": "auto",
    "functions": [{"name": "pick", "parameters": schema}],
    "logit_bias": {"42": 5},
    "logprobs": True,
    "max_completion_tokens": 3,
    "max_tokens": 3,
    "metadata": {"app": "params-test"},
    "modalities": ["text", "audio"],
    "moderation": {"input": {"mode": "block"}},
    "n": 2,
    "parallel_tool_calls": False,
    "prediction": {"type": "content", "content": "red"},
    "presence_penalty": 0.5,
    "prompt_cache_key": "k1",
    "prompt_cache_options": {"ttl": "5m"},
    "prompt_cache_retention": "24h",
    "reasoning_effort": "low",
    "response_format": {"type": "json_schema", "json_schema": {"name": "c", "schema": schema, "strict": True}},
    "safety_identifier": "u-hash",
    "seed": 11,
    "service_tier": "auto",
    "stop": ["\n\n"],
    "store": True,
    "stream_options": {"include_usage": True},
    "temperature": 0.3,
    "tool_choice": "required",
    "tools": [tool],
    "top_logprobs": 2,
    "top_p": 0.9,
    "user": "u-1",
    "verbosity": "low",
    "web_search_options": {},
}
# What a parameter needs beside it to mean anything.
companions = {
    "top_logprobs": {"logprobs": True},
    "tool_choice": {"tools": [tool]},
    "parallel_tool_calls": {"tools": [tool], "tool_choice": "required"},
    "stream_options": {"stream": True},
}
results = {}
for name in completion_create_params.CompletionCreateParamsBase.__annotations__:
    if name not in values:
        results[name] = {"status": "no value in this script"}
        continue
    args = {"model": model, "messages": messages, "max_tokens": 96}
    args.update(companions.get(name, {}))
    args[name] = values[name]
    try:
        if args.get("stream"):
            chunks = list(client.chat.completions.create(**args))
            results[name] = {"status": 200, "chunks": [c.model_dump() for c in chunks]}
        else:
            r = client.chat.completions.create(**args)
            results[name] = {"status": 200, "response": r.model_dump()}
    except openai.APIStatusError as e:
        results[name] = {"status": e.status_code, "error": e.body}
json.dump(results, sys.stdout)
