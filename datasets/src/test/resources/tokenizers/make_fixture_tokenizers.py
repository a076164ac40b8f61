#!/usr/bin/python3
"""Writes two tiny Hugging Face tokenizers (tokenizer.json + tokenizer_config.json) for mask tests:

- bytelevel-bpe/: Qwen2-style byte-level BPE (GPT-2 byte alphabet, ByteLevel pre-tokenizer without
  prefix space), ChatML specials, <think>/</think> added tokens, eos <|im_end|>, the Qwen3 template;
- sentencepiece-bpe/: Llama-2-style SentencePiece BPE (Prepend("▁") + Replace(" ", "▁") normaliser,
  byte fallback <0xNN>, <s>/</s>/<unk>), the Llama-2-chat template.

Merges are learned by a plain BPE loop on a small corpus below, so the vocabularies stay a few hundred
tokens. Run: /usr/bin/python3 make_fixture_tokenizers.py (needs only the standard library).
"""
import collections
import json
import os

CORPUS = """
the user asks and the assistant answers. what is the capital of france? paris. and of italy? rome.
think about it: two and two is four. three and three is six. hello there, how are you today?
the weather in paris is sunny. system prompt: you are terse. be brief. yes no okay thanks bye.
""" * 3
HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(HERE, "..", "chat-templates", "templates")


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def learn_merges(words, count):
    """Plain BPE: repeatedly merge the most frequent adjacent pair (ties broken by the pair itself)."""
    vocab = collections.Counter(tuple(w) for w in words)
    merges = []
    for _ in range(count):
        pairs = collections.Counter()
        for word, freq in vocab.items():
            for a, b in zip(word, word[1:]):
                pairs[(a, b)] += freq
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        merged = collections.Counter()
        for word, freq in vocab.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] += freq
        vocab = merged
    return merges


def read_template(name):
    with open(os.path.join(TEMPLATES, name), encoding="utf-8") as f:
        return f.read()


def write(dirname, tokenizer, config):
    os.makedirs(os.path.join(HERE, dirname), exist_ok=True)
    with open(os.path.join(HERE, dirname, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False, indent=1)
    with open(os.path.join(HERE, dirname, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, ensure_ascii=False, indent=1)


def added(token_id, content, special):
    return {"id": token_id, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": special}


def bytelevel():
    alphabet = bytes_to_unicode()
    vocab = {alphabet[b]: b for b in range(256)}
    words = ["".join(alphabet[b] for b in (w if i == 0 else " " + w).encode("utf-8"))
             for i, w in enumerate(CORPUS.split())]
    merges = learn_merges(words, 120)
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    added_tokens = [added(len(vocab) + i, s, True) for i, s in enumerate(specials)]
    added_tokens += [added(len(vocab) + 3, "<think>", False), added(len(vocab) + 4, "</think>", False)]
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added_tokens,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [a + " " + b for a, b in merges]},
    }
    config = {"tokenizer_class": "Qwen2Tokenizer", "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
              "bos_token": None, "clean_up_tokenization_spaces": False, "chat_template": read_template("qwen3.jinja")}
    write("bytelevel-bpe", tokenizer, config)


def sentencepiece():
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for b in range(256):
        vocab["<0x%02X>" % b] = len(vocab)
    for ch in "▁abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:?!'[]/<>|-_()\"":
        vocab.setdefault(ch, len(vocab))
    words = ["▁" + w for w in CORPUS.split()]
    merges = learn_merges(words, 120)
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [added(0, "<unk>", True), added(1, "<s>", True), added(2, "</s>", True)],
        "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"},
                                                            {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
        "pre_tokenizer": None,
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                           "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                    {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                           "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"},
            {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": vocab, "merges": [a + " " + b for a, b in merges]},
    }
    config = {"tokenizer_class": "LlamaTokenizer", "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
              "pad_token": None, "add_bos_token": True, "add_eos_token": False, "legacy": True,
              "clean_up_tokenization_spaces": False, "chat_template": read_template("llama-2-chat.jinja")}
    write("sentencepiece-bpe", tokenizer, config)


if __name__ == "__main__":
    bytelevel()
    sentencepiece()
