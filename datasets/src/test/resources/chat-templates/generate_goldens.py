#!/usr/bin/python3
"""Writes goldens/<template>/<conversation>.txt: each template in templates/ rendered on each conversation of
conversations.json by Python Jinja2 configured as transformers' apply_chat_template configures it
(transformers/utils/chat_template_utils.py): ImmutableSandboxedEnvironment(trim_blocks=True,
lstrip_blocks=True, extensions=[generation tracker, loopcontrols]), tojson = json.dumps(ensure_ascii=False),
raise_exception, strftime_now; render(messages=..., tools=... or None, documents=None,
add_generation_prompt=..., **special tokens, **chat_template_kwargs).

A render that fails is written as <conversation>.error: "raise_exception: MESSAGE" when the template
raised, else "error". strftime_now reads a fixed clock, 2026-12-05 12:00, so goldens do not age.

Run from this directory with Jinja2 3.1.x (3.1.2 and 3.1.6 write the same goldens): python3 generate_goldens.py
"""
import datetime
import json
import os
import shutil

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIXED_NOW = datetime.datetime(2026, 12, 5, 12, 0, 0)


class TemplateRaised(Exception):
    pass


class GenerationTracker(Extension):
    """transformers' AssistantTracker without the index bookkeeping: {% generation %} renders its body."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render", []), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def raise_exception(message):
    raise TemplateRaised(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return FIXED_NOW.strftime(format)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[GenerationTracker, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "templates.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    with open(os.path.join(here, "conversations.json"), encoding="utf-8") as f:
        conversations = json.load(f)
    out_root = os.path.join(here, "goldens")
    shutil.rmtree(out_root, ignore_errors=True)
    env = environment()
    for name, spec in manifest.items():
        with open(os.path.join(here, "templates", name + ".jinja"), encoding="utf-8") as f:
            template = env.from_string(f.read())
        os.makedirs(os.path.join(out_root, name))
        for conv in conversations:
            variables = dict(spec["special_tokens"])
            variables.update(conv.get("chat_template_kwargs", {}))
            try:
                text = template.render(messages=conv["messages"], tools=conv.get("tools"), documents=None,
                                       add_generation_prompt=conv.get("add_generation_prompt", False), **variables)
                path, content = conv["name"] + ".txt", text
            except TemplateRaised as e:
                path, content = conv["name"] + ".error", "raise_exception: " + str(e)
            except Exception:  # noqa: BLE001 - any other failure of the template on this conversation
                path, content = conv["name"] + ".error", "error"
            with open(os.path.join(out_root, name, path), "w", encoding="utf-8", newline="") as f:
                f.write(content)
    with open(os.path.join(out_root, "JINJA2_VERSION"), "w", encoding="utf-8") as f:
        f.write(jinja2.__version__ + "\n")


if __name__ == "__main__":
    main()
