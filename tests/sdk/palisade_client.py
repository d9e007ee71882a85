"""The OpenAI SDK's client pointed at Palisade as an application would set
it up: mutual TLS on the HTTP client (the SDK's own httpx client class, with
a TLS context holding the private CA and the client certificate), the JWT
as the API key."""
import os
import ssl

import openai

tls = ssl.create_default_context(cafile=os.environ["PALISADE_CA"])
tls.load_cert_chain(os.environ["PALISADE_CERT"], os.environ["PALISADE_KEY"])
client = openai.OpenAI(
    base_url=os.environ["PALISADE_BASE_URL"],
    api_key=os.environ["PALISADE_TOKEN"],
    http_client=openai.DefaultHttpxClient(verify=tls),
)
model = os.environ["PALISADE_MODEL"]
