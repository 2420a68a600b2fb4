"""The real `openai` package against the app served by uvicorn on 127.0.0.1."""
from __future__ import annotations

import pytest

from tests.ui.conftest import KEYS

QUESTION = "Hva ble vedtatt i sak 7/1/2026?"


@pytest.fixture(scope="module")
def client(keyed_server):
    from openai import OpenAI

    return OpenAI(base_url=keyed_server + "/v1", api_key=KEYS["member"], max_retries=0, timeout=120)


def test_models(client):
    assert [model.id for model in client.models.list()] == ["radsarkiv"]


def test_completion_has_sources_in_the_text(client):
    completion = client.chat.completions.create(model="radsarkiv", messages=[
        {"role": "system", "content": "Svar kort."},
        {"role": "user", "content": QUESTION},
    ])
    assert completion.object == "chat.completion" and completion.model == "radsarkiv"
    choice = completion.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    text = choice.message.content
    answer, sources = text.split("\n\n**Kilder:**\n")
    assert "[Sak 7/1/2026, s. " in answer  # markers carry the page (issue 14)
    lines = sources.splitlines()
    assert lines and all(line.startswith("- [Sak 7/1/2026") and "Sak 7/1/2026 – " in line and "«" in line for line in lines)
    assert any(", s. " in line for line in lines)


def test_streaming_gives_chunks_and_the_same_text(client):
    whole = client.chat.completions.create(model="radsarkiv", messages=[{"role": "user", "content": QUESTION}])
    stream = client.chat.completions.create(model="radsarkiv", messages=[{"role": "user", "content": QUESTION}], stream=True)
    chunks = list(stream)
    assert len(chunks) > 3
    assert all(chunk.object == "chat.completion.chunk" and chunk.model == "radsarkiv" for chunk in chunks)
    assert len({chunk.id for chunk in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert text == whole.choices[0].message.content


def test_follow_up_with_history(client):
    first = client.chat.completions.create(model="radsarkiv", messages=[{"role": "user", "content": QUESTION}]).choices[0].message.content
    follow = client.chat.completions.create(model="radsarkiv", messages=[
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": first},
        {"role": "user", "content": [{"type": "text", "text": "Hvem var saksbehandler?"}]},
    ])
    assert follow.choices[0].message.content


def test_errors_reach_the_client(client, keyed_server):
    import openai

    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])
    assert "radsarkiv" in str(missing.value)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="radsarkiv", messages=[{"role": "assistant", "content": "Hei"}])
    unauthorized = openai.OpenAI(base_url=keyed_server + "/v1", api_key="feil", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        unauthorized.models.list()
