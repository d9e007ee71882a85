"""Tool calling and structured output through the official OpenAI Python
SDK, as an internal app would use them: a required tool call whole and
streamed (deltas put together as the SDK's users do), a second turn with
the tool's result, and `chat.completions.parse` with a pydantic model.
Prints one JSON object with what it got; exits non-zero on any error."""
import json
import sys
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from palisade_client import client, model

tools = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "The current weather in a city",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "maxLength": 16},
                    "unit": {"enum": ["celsius", "fahrenheit"]},
                },
                "required": ["city", "unit"],
                "additionalProperties": False,
            },
        },
    }
]
messages = [{"role": "user", "content": "What is the weather in Oslo?"}]
ask = dict(model=model, tools=tools, tool_choice="required", max_tokens=96, seed=7)

whole = client.chat.completions.create(messages=messages, **ask)
message = whole.choices[0].message
call = message.tool_calls[0]

# Streamed: deltas carry the call's index, id, name and argument fragments.
calls = {}
finish = None
for chunk in client.chat.completions.create(messages=messages, stream=True, **ask):
    for choice in chunk.choices:
        finish = choice.finish_reason or finish
        for delta in choice.delta.tool_calls or []:
            c = calls.setdefault(delta.index, {"id": None, "name": "", "arguments": ""})
            c["id"] = delta.id or c["id"]
            if delta.function is not None:
                c["name"] += delta.function.name or ""
                c["arguments"] += delta.function.arguments or ""

# The second turn: the assistant's call and the tool's result go back.
second = client.chat.completions.create(
    model=model,
    messages=messages
    + [message, {"role": "tool", "tool_call_id": call.id, "content": json.dumps({"celsius": 4})}],
    tools=tools,
    max_tokens=12,
    seed=7,
)


class Ticket(BaseModel):
    code: Annotated[str, Field(pattern=r"^[A-Z]{3}-[0-9]{3}$")]
    priority: Literal["low", "medium", "high"]
    count: Annotated[int, Field(ge=0, le=99)]
    tags: Annotated[list[Annotated[str, Field(max_length=6)]], Field(max_length=3)]


parsed = client.chat.completions.parse(
    model=model,
    messages=[{"role": "user", "content": "File a ticket for the broken printer."}],
    response_format=Ticket,
    max_tokens=160,
    seed=3,
)

json.dump(
    {
        "whole": {
            "finish": whole.choices[0].finish_reason,
            "content": message.content,
            "usage": whole.usage.model_dump(),
            "calls": [
                {"id": c.id, "type": c.type, "name": c.function.name, "arguments": c.function.arguments}
                for c in message.tool_calls
            ],
        },
        "streamed": {"finish": finish, "calls": [calls[i] for i in sorted(calls)]},
        "second": {
            "finish": second.choices[0].finish_reason,
            "usage": second.usage.model_dump(),
        },
        "parsed": parsed.choices[0].message.parsed.model_dump(),
    },
    sys.stdout,
)
