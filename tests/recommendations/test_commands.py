"""The evaluate_recs and movielens_to_csv management commands, end to end."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from recommendations.management.commands.evaluate_recs import Command as EvaluateRecs

from .conftest import two_clusters

RESULT = re.compile(r"^RESULT precision_at_k=\d+\.\d+ recall_at_k=\d+\.\d+ ndcg_at_k=\d+\.\d+$")


def write_clusters(tmp_path, timestamps=True):
    log, item_features, _ = two_clusters()
    interactions = tmp_path / "interactions.csv"
    with interactions.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "item_id", "timestamp", "weight"])
        for user, item, stamp, weight in zip(
            log.user_ids, log.item_ids, log.timestamps, log.weights, strict=True
        ):
            writer.writerow([user, item, int(stamp) if timestamps else "", weight])
    items = tmp_path / "items.csv"
    with items.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item_id", "features"])
        for item, features in item_features.items():
            writer.writerow([item, "|".join(features)])
    return interactions, items


def run(**options):
    # The LightFM hybrid alone: the production pipeline (TensorFlow) has its own test in
    # tests/recommendations/monolith/test_evaluate_production.py.
    options.setdefault("ranker", "hybrid")
    command = EvaluateRecs()
    out = io.StringIO()
    call_command(command, stdout=out, **options)
    return command, out.getvalue().strip().splitlines()


def test_evaluate_recs_end_to_end(tmp_path):
    interactions, items = write_clusters(tmp_path)
    command, lines = run(interactions=str(interactions), items=str(items), k=5, seed=1)
    assert RESULT.match(lines[-1]), lines[-1]
    report = command.report
    assert report.protocol == "temporal"
    assert set(report.results) == {"hybrid", "lightfm", "popular"}
    assert report.results["hybrid"].users == 60
    # The two taste clusters are easy: both learned models beat the global popularity list.
    assert report.results["hybrid"].ndcg > report.results["popular"].ndcg
    assert report.replay is not None and report.replay.steps > 0
    assert any(line.startswith("replay: steps=") for line in lines)
    hybrid = report.results["hybrid"]
    assert lines[-1] == (
        f"RESULT precision_at_k={hybrid.precision:.4f} recall_at_k={hybrid.recall:.4f} "
        f"ndcg_at_k={hybrid.ndcg:.4f}"
    )


def test_evaluate_recs_random_split_without_timestamps(tmp_path):
    interactions, _ = write_clusters(tmp_path, timestamps=False)
    command, lines = run(interactions=str(interactions), k=3)
    assert command.report.protocol == "random"
    assert "replay: skipped" in "\n".join(lines)
    assert RESULT.match(lines[-1])
    with pytest.raises(CommandError, match="line 2: the temporal split needs a timestamp"):
        run(interactions=str(interactions), split="temporal")


def test_evaluate_recs_with_test_file_and_candidates(tmp_path):
    train = tmp_path / "train.csv"
    train.write_text(
        "user_id,item_id,timestamp,weight\nu1,a,1,1\nu1,b,2,1\nu2,a,1,1\nu2,c,2,1\nu3,c,1,1\n"
    )
    test = tmp_path / "test.csv"
    # u3 has only a negative test event: skipped. u4 is new (cold) and still evaluated.
    test.write_text("user_id,item_id,timestamp,weight\nu1,c,3,1\nu2,b,3,2\nu3,a,3,-1\nu4,a,,1\n")
    candidates = tmp_path / "candidates.txt"
    candidates.write_text("a\nb\nc\nd\n")
    command, lines = run(interactions=str(train), test=str(test), candidates=str(candidates), k=2)
    report = command.report
    assert report.protocol == "test-file"
    assert report.rankable_items == 4
    assert {r.users for r in report.results.values()} == {3}
    assert RESULT.match(lines[-1])
    # A relevant item outside the candidates can't be ranked: it is not counted either.
    candidates.write_text("a\nd\n")
    command, _ = run(interactions=str(train), test=str(test), candidates=str(candidates), k=2)
    assert command.report.results["popular"].users == 1  # only u4 -> a remains


def test_evaluate_recs_single_item_catalog(tmp_path):
    path = tmp_path / "one.csv"
    rows = "".join(f"u{u},only,{t},1\n" for u in range(5) for t in (1, 2))
    rows += "u9,only,1,1\nu9,only,2,-1\nu8,only,5,1\nu8,other,9,1\n"
    path.write_text("user_id,item_id,timestamp,weight\n" + rows)
    command, lines = run(interactions=str(path), k=10)
    assert RESULT.match(lines[-1])
    path.write_text("user_id,item_id,timestamp,weight\nu1,only,1,1\nu1,only,2,1\n")
    command, lines = run(interactions=str(path), k=10)
    assert lines[-1] == "RESULT precision_at_k=0.0000 recall_at_k=0.0000 ndcg_at_k=0.0000"
    assert command.report.catalog_size == 1


def test_evaluate_recs_malformed_file_names_file_and_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("user_id,item_id,timestamp,weight\nu1,a,1,1\nu1,b,2,lots\n")
    with pytest.raises(CommandError) as error:
        run(interactions=str(path))
    assert str(path) in str(error.value)
    assert "line 3" in str(error.value)
    items = tmp_path / "items.csv"
    items.write_text("item_id,features\na\n")
    good = tmp_path / "good.csv"
    good.write_text("user_id,item_id,timestamp,weight\nu1,a,1,1\n")
    with pytest.raises(CommandError, match=r"items.csv, line 2: expected 2 fields"):
        run(interactions=str(good), items=str(items))


def test_evaluate_recs_missing_file_and_bad_k(tmp_path):
    with pytest.raises(CommandError, match="interactions file not found"):
        run(interactions=str(tmp_path / "missing.csv"))
    good = tmp_path / "good.csv"
    good.write_text("user_id,item_id,timestamp,weight\nu1,a,1,1\n")
    with pytest.raises(CommandError, match="candidates file not found"):
        run(interactions=str(good), candidates=str(tmp_path / "nope.txt"))
    with pytest.raises(CommandError, match="--k must be a positive integer"):
        run(interactions=str(good), k=0)


# ---------------------------------------------------------------- MovieLens converter


def fake_movielens(folder):
    folder.mkdir()
    genres = ["unknown", "Action", "Comedy"]
    (folder / "u.genre").write_text("".join(f"{g}|{i}\n" for i, g in enumerate(genres)) + "\n")
    (folder / "u.item").write_text(
        "1|Toy Story (1995)|01-Jan-1995||http://x|0|0|1\n"
        "2|GoldenEye (1995)|01-Jan-1995||http://x|0|1|0\n"
        "3|The Mystery Film (1972)|||http://x|1|0|0\n",
        encoding="latin-1",
    )
    (folder / "u.data").write_text(
        "1\t1\t5\t881250949\n1\t2\t4\t881250950\n2\t1\t3\t881250951\n"
        "2\t2\t2\t881250952\n2\t3\t1\t881250953\n"
    )


def read_csv(path):
    with path.open(newline="") as handle:
        return list(csv.reader(handle))


def test_movielens_to_csv(tmp_path):
    source = tmp_path / "ml"
    fake_movielens(source)
    out = tmp_path / "out"
    stdout = io.StringIO()
    call_command("movielens_to_csv", source=str(source), out=str(out), stdout=stdout)
    assert "5 ratings -> 4 interactions (2 positive)" in stdout.getvalue()
    assert read_csv(out / "interactions.csv") == [
        ["user_id", "item_id", "timestamp", "weight"],
        ["1", "1", "881250949", "2.0"],
        ["1", "2", "881250950", "1.0"],
        ["2", "2", "881250952", "-0.5"],
        ["2", "3", "881250953", "-1.0"],
    ]
    assert read_csv(out / "items.csv") == [
        ["item_id", "features"],
        ["1", "genre:Comedy|year:1995|decade:1990s"],
        ["2", "genre:Action|year:1995|decade:1990s"],
        ["3", "genre:unknown"],
    ]
    # The output is valid input for evaluate_recs.
    _, lines = run(interactions=str(out / "interactions.csv"), items=str(out / "items.csv"), k=2)
    assert RESULT.match(lines[-1])


def test_movielens_to_csv_options_and_errors(tmp_path):
    source = tmp_path / "ml"
    fake_movielens(source)
    out = tmp_path / "out"
    call_command(
        "movielens_to_csv",
        source=str(source),
        out=str(out),
        positives_only=True,
        title_words=True,
        stdout=io.StringIO(),
    )
    assert [row[3] for row in read_csv(out / "interactions.csv")[1:]] == ["2.0", "1.0"]
    assert read_csv(out / "items.csv")[3] == ["3", "genre:unknown|word:mystery|word:film"]
    with pytest.raises(CommandError, match="not found"):
        call_command("movielens_to_csv", source=str(tmp_path / "none"), out=str(out))
    (source / "u.data").write_text("1\t1\t5\t881250949\n1\t2\tfive\t881250950\n")
    with pytest.raises(CommandError, match=r"u.data, line 2: rating and timestamp"):
        call_command("movielens_to_csv", source=str(source), out=str(out))
