"""The audio cache on a real folder: keys, hits and misses, atomic entries, stats and pruning."""

import os

import pytest

from outreach.media import MediaError, atomic_path
from outreach.speech.cache import AudioCache

DAY = 86400
NOW = 2_000_000_000.0


def _put(cache: AudioCache, key: str, data: bytes = b"RIFF....WAVE", used: float | None = None) -> None:
    with atomic_path(cache.path(key)) as tmp:
        tmp.write_bytes(data)
    if used is not None:
        os.utime(cache.path(key), (used, used))


def test_key_depends_on_engine_identity_language_and_text():
    base = ("espeak", "1.51|cmn-latn-pinyin", "cmn", "不要转账。")
    keys = {AudioCache.key(*base)}
    for i, other in enumerate(("gtts", "1.52|cmn-latn-pinyin", "pcc", "千万不要转账。")):
        keys.add(AudioCache.key(*base[:i], other, *base[i + 1:]))
    assert len(keys) == 5
    assert AudioCache.key(*base) == AudioCache.key(*base)


def test_miss_then_hit_and_a_hit_counts_as_a_use(tmp_path):
    cache = AudioCache.in_state(tmp_path)
    key = AudioCache.key("espeak", "v", "cmn", "你好")
    assert cache.hit(key) is None and not cache.has(key)
    long_ago = 1_000_000_000.0  # 2001
    _put(cache, key, used=long_ago)
    assert cache.path(key).parent.parent == tmp_path / "cache" / "audio"
    assert cache.has(key)
    assert os.stat(cache.path(key)).st_mtime == long_ago  # has() is only a look
    assert cache.hit(key) == cache.path(key)
    assert os.stat(cache.path(key)).st_mtime > long_ago


def test_an_empty_file_is_a_miss(tmp_path):
    cache = AudioCache(tmp_path)
    key = AudioCache.key("espeak", "v", "cmn", "你好")
    cache.path(key).parent.mkdir(parents=True)
    cache.path(key).write_bytes(b"")
    assert cache.hit(key) is None and not cache.has(key)


def test_a_failed_write_leaves_neither_an_entry_nor_a_partial_file(tmp_path):
    cache = AudioCache(tmp_path)
    key = AudioCache.key("espeak", "v", "cmn", "你好")
    with pytest.raises(OSError, match="disk pulled out"):
        with atomic_path(cache.path(key)) as tmp:
            tmp.write_bytes(b"RIFF half")
            assert tmp.parent == cache.path(key).parent and tmp.exists()
            raise OSError("disk pulled out")
    with pytest.raises(MediaError, match="nothing was written"):
        with atomic_path(cache.path(key)):
            pass
    assert cache.hit(key) is None
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert cache.stats().files == 0


def test_stats_count_size_and_use_times(tmp_path):
    cache = AudioCache(tmp_path)
    assert cache.stats().files == 0 and cache.stats().oldest_use is None
    for i, (size, age) in enumerate(((100, 3), (250, 40), (7, 1))):
        _put(cache, AudioCache.key("espeak", "v", "cmn", str(i)), b"x" * size, used=NOW - age * DAY)
    (tmp_path / "notes.txt").write_text("not an entry", encoding="utf-8")
    stats = cache.stats()
    assert (stats.files, stats.bytes) == (3, 357)
    assert (stats.oldest_use, stats.newest_use) == (NOW - 40 * DAY, NOW - 1 * DAY)


def test_prune_removes_what_was_not_used_lately_or_everything(tmp_path):
    cache = AudioCache(tmp_path)
    keys = [AudioCache.key("espeak", "v", "cmn", str(i)) for i in range(3)]
    for key, (size, age) in zip(keys, ((100, 3), (250, 40), (30, 31))):
        _put(cache, key, b"x" * size, used=NOW - age * DAY)
    assert cache.prune(older_than_days=30, now=NOW) == (2, 280)
    assert [cache.has(k) for k in keys] == [True, False, False]
    assert cache.prune(older_than_days=30, now=NOW) == (0, 0)
    assert cache.prune() == (1, 100)
    assert cache.stats().files == 0


def test_voiced_and_mastered_sound_are_kept_apart_and_pruned_apart(tmp_path):
    voiced, mastered = AudioCache.in_state(tmp_path), AudioCache.in_state(tmp_path, "mastered")
    key = AudioCache.key("espeak", "v", "cmn", "你好")
    _put(voiced, key, b"x" * 10, used=NOW - 40 * DAY)
    _put(mastered, key, b"y" * 20, used=NOW - 1 * DAY)
    assert mastered.path(key) == tmp_path / "cache" / "mastered" / key[:2] / f"{key}.wav"
    assert voiced.path(key).read_bytes() != mastered.path(key).read_bytes()
    assert voiced.prune(older_than_days=30, now=NOW) == (1, 10)
    assert mastered.has(key) and mastered.stats().files == 1
    with pytest.raises(ValueError, match="unknown cache kind 'final'"):
        AudioCache.in_state(tmp_path, "final")
