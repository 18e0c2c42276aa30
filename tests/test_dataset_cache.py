"""Prepared datasets are keyed by their source files: another folder or edited
files rebuild the cache, unchanged files reuse it, and concurrent processes
prepare it once."""

import hashlib
import json
import os
import shutil
import subprocess
import sys

from test_dataset_builders import write

import keras_vae_collapse as kvc

D = kvc.datasets
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=ROOT)


def ptb_corpus(folder, word):
    """A tiny ptb folder whose lines all use `word`."""
    for split, n in (("train", 12), ("valid", 3), ("test", 4)):
        write(
            os.path.join(folder, f"{split}.txt"),
            [f"{word} {split} {i}" for i in range(n)],
        )
    return folder


def prepare(data_dir, cache_dir):
    messages = []
    prepared = D.builder("ptb", data_dir, cache_dir, log=messages.append)
    return prepared, messages


def texts_of(prepared, split="train"):
    return D.split_examples(prepared, split)


def stamp(prepared):
    """Identity of the prepared files: rewriting them changes it."""
    path = os.path.join(prepared.data_dir, "dataset_info.json")
    stat = os.stat(path)
    return stat.st_ino, stat.st_mtime_ns


def test_another_folder_with_the_same_cache_is_rebuilt(tmp_path):
    cache = str(tmp_path / "cache")
    a = ptb_corpus(str(tmp_path / "a"), "apple")
    b = ptb_corpus(str(tmp_path / "b"), "banana")
    first, messages = prepare(a, cache)
    assert messages == []
    assert texts_of(first)[0] == "apple train 0"
    second, messages = prepare(b, cache)
    assert texts_of(second) == [f"banana train {i}" for i in range(12)]
    assert "banana" in second.vocabulary().tokens
    assert "apple" not in second.vocabulary().tokens
    assert messages == [
        f"[kvc] ptb: the files in {b} changed since the cache in "
        f"{first.data_dir} was prepared: rebuilding"
    ]
    # The record next to dataset_info.json names the new source.
    with open(os.path.join(second.data_dir, D.SOURCE_RECORD)) as handle:
        record = json.load(handle)
    hashes = record.pop("sha256")
    assert record == json.loads(json.dumps(D.source_fingerprint(D.KvcPtb, b, cache)))
    with open(os.path.join(b, "train.txt"), "rb") as handle:
        assert hashes["train.txt"] == hashlib.sha256(handle.read()).hexdigest()
    assert sorted(hashes) == ["test.txt", "train.txt", "valid.txt"]
    assert record["builder"] == "kvc_ptb" and record["version"] == "1.0.0"
    assert [f[0] for f in record["files"]] == ["test.txt", "train.txt", "valid.txt"]


def test_an_edited_file_rebuilds(tmp_path):
    cache = str(tmp_path / "cache")
    a = ptb_corpus(str(tmp_path / "a"), "apple")
    first, _ = prepare(a, cache)
    before = stamp(first)
    path = os.path.join(a, "test.txt")
    mtime = os.stat(path).st_mtime_ns
    write(path, ["cherry test 0", "cherry test 1"])
    os.utime(path, ns=(mtime + 10**9, mtime + 10**9))
    second, messages = prepare(a, cache)
    assert len(messages) == 1 and messages[0].endswith("was prepared: rebuilding")
    assert texts_of(second, "test") == ["cherry test 0", "cherry test 1"]
    assert second.info.splits["test"].num_examples == 2
    assert stamp(second) != before


def test_a_new_file_in_the_folder_rebuilds(tmp_path):
    cache = str(tmp_path / "cache")
    a = ptb_corpus(str(tmp_path / "a"), "apple")
    prepare(a, cache)
    write(os.path.join(a, "notes", "README"), ["a new file"])
    _, messages = prepare(a, cache)
    assert len(messages) == 1 and "rebuilding" in messages[0]


def test_unchanged_files_reuse_the_cache(tmp_path):
    cache = str(tmp_path / "cache")
    a = ptb_corpus(str(tmp_path / "a"), "apple")
    first, _ = prepare(a, cache)
    before = stamp(first)
    record = os.path.join(first.data_dir, D.SOURCE_RECORD)
    record_before = os.stat(record).st_mtime_ns
    second, messages = prepare(a, cache)
    assert messages == []
    assert stamp(second) == before
    assert os.stat(record).st_mtime_ns == record_before
    assert texts_of(second)[0] == "apple train 0"
    # Reading the files (no change of size or mtime) keeps the cache too.
    with open(os.path.join(a, "train.txt")) as handle:
        handle.read()
    third, messages = prepare(a, cache)
    assert messages == [] and stamp(third) == before


def test_new_times_on_the_same_content_keep_the_cache(tmp_path):
    # A re-provisioned data volume: every file rewritten with new mtimes.
    cache = str(tmp_path / "cache")
    a = ptb_corpus(str(tmp_path / "a"), "apple")
    first, _ = prepare(a, cache)
    before = stamp(first)
    for name in ("train.txt", "valid.txt", "test.txt"):
        path = os.path.join(a, name)
        mtime = os.stat(path).st_mtime_ns
        os.utime(path, ns=(mtime + 10**9, mtime + 10**9))
    second, messages = prepare(a, cache)
    assert len(messages) == 1 and messages[0].endswith("keeping it")
    assert stamp(second) == before
    _, messages = prepare(a, cache)  # the record now has the new times
    assert messages == []
    # Same size and new times but other content still rebuilds.
    path = os.path.join(a, "test.txt")
    with open(path) as handle:
        text = handle.read()
    with open(path, "w") as handle:
        handle.write(text.replace("apple", "apric"))
    third, messages = prepare(a, cache)
    assert len(messages) == 1 and messages[0].endswith("rebuilding")
    assert texts_of(third, "test")[0] == "apric test 0"


def test_a_copy_with_the_same_times_reuses_the_cache(tmp_path):
    cache = str(tmp_path / "cache")
    a = ptb_corpus(str(tmp_path / "a"), "apple")
    first, _ = prepare(a, cache)
    before = stamp(first)
    copy = str(tmp_path / "copy")
    shutil.copytree(a, copy)  # copy2: same sizes and mtimes
    second, messages = prepare(copy, cache)
    assert messages == [] and stamp(second) == before


def test_a_cache_inside_the_data_folder_is_not_part_of_the_source(tmp_path):
    a = ptb_corpus(str(tmp_path / "a"), "apple")
    cache = os.path.join(a, "cache")
    first, _ = prepare(a, cache)
    before = stamp(first)
    second, messages = prepare(a, cache)
    assert messages == [] and stamp(second) == before


def test_a_cache_without_a_record_is_adopted(tmp_path):
    # Caches prepared before records existed are kept (not deleted under
    # trainings that may be reading them) and get the current record.
    cache = str(tmp_path / "cache")
    a = ptb_corpus(str(tmp_path / "a"), "apple")
    first, _ = prepare(a, cache)
    before = stamp(first)
    os.remove(os.path.join(first.data_dir, D.SOURCE_RECORD))
    second, messages = prepare(a, cache)
    assert len(messages) == 1 and "no record of its source" in messages[0]
    assert stamp(second) == before
    assert os.path.exists(os.path.join(second.data_dir, D.SOURCE_RECORD))
    _, messages = prepare(a, cache)
    assert messages == []


def test_an_unreadable_record_rebuilds(tmp_path):
    cache = str(tmp_path / "cache")
    a = ptb_corpus(str(tmp_path / "a"), "apple")
    first, _ = prepare(a, cache)
    with open(os.path.join(first.data_dir, D.SOURCE_RECORD), "w") as handle:
        handle.write("{not json")
    _, messages = prepare(a, cache)
    assert len(messages) == 1 and "rebuilding" in messages[0]


def test_generated_datasets_fingerprint_name_and_version_only():
    assert D.source_fingerprint(D.KvcSynthetic) == {
        "builder": "kvc_synthetic",
        "version": "1.0.0",
        "files": [],
    }


PREPARE = """
import sys
from keras_vae_collapse import datasets
prepared = datasets.builder("ptb", sys.argv[1], sys.argv[2])
print("COUNTS", sorted((s, i.num_examples) for s, i in prepared.info.splits.items()))
print("FIRST", datasets.split_examples(prepared, "train")[0])
"""


def test_two_processes_on_an_empty_cache_both_succeed(tmp_path):
    cache = str(tmp_path / "cache")
    a = ptb_corpus(str(tmp_path / "a"), "apple")
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", PREPARE, a, cache],
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    for process, (out, err) in zip(processes, outputs):
        assert process.returncode == 0, err[-3000:]
        assert "COUNTS [('test', 4), ('train', 12), ('validation', 3)]" in out
        assert "FIRST apple train 0" in out
    # One prepared it, the other waited for the lock and reused it.
    prepared = [out.count("Downloading and preparing dataset") for out, _ in outputs]
    assert sorted(prepared) == [0, 1], outputs
    assert not [
        n for n in os.listdir(os.path.join(cache, "kvc_ptb")) if "incomplete" in n
    ]
