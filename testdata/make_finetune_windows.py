"""Training and validation windows, with their targets, for fine-tuning the reference-design
models and the public-model exports (tfq finetune; finetune/ and bench/finetune).

models/NAME.inputs.npy and .targets.npy are test windows and .calibration.npy has no targets;
fine-tuning on the test windows would grade a model on what it was trained on. This writes, per
window shape (n, m) of those models (m = 1, 3; m = 7: make_bench_models.py's 7 features):

    finetune/n{n}_m{m}.train_inputs.npy   float32 [384, n, m]  training windows, evenly spaced
    finetune/n{n}_m{m}.train_targets.npy  float32 [384, 1]     over the training blocks
    finetune/n{n}_m{m}.val_inputs.npy     float32 [128, n, m]  validation windows, evenly spaced
    finetune/n{n}_m{m}.val_targets.npy    float32 [128, 1]     over the validation blocks

with make_testdata.py's split, windows and normalisation (make_bench_models.py's 7 features for
m = 7), unchanged, and checks them against the committed calibration windows of every ref_,
bench_ and public model of that shape (the same training windows at make_testdata's picks).
Run from the repository root with Debian's Python:

    /usr/bin/python3 testdata/make_finetune_windows.py
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_testdata as mt  # noqa: E402
import make_bench_models as mb  # noqa: E402

OUT = os.path.join(mt.HERE, "finetune")
N_TRAIN, N_VAL = 384, 128


def pick(total, k):
    return np.unique(np.round(np.linspace(0, total - 1, k)).astype(np.int64))


def norm_of(raw, blocks, names):
    rows = np.concatenate([np.arange(a, b) for (a, b) in blocks["train"]])
    mean, std = raw[rows].mean(axis=0), raw[rows].std(axis=0)
    return dict(mean={k: float(mean[i]) for i, k in enumerate(names)}, std={k: float(std[i]) for i, k in enumerate(names)})


# models whose windows these are: their committed calibration windows must be these training windows
FAMILIES = ("ref_", "bench_", "tt4ts_", "patchtst_", "itransformer_", "tslib_transformer_")


def save(ds, n, m):
    # the committed calibration windows are the training windows at make_testdata's picks
    checked = 0
    for f in sorted(os.listdir(mt.MODEL_DIR)):
        if not (f.startswith(FAMILIES) and f.endswith(".calibration.npy")):
            continue
        cal = np.load(os.path.join(mt.MODEL_DIR, f))
        if cal.shape[1:] == (n, m):
            assert np.array_equal(ds.train[0][pick(len(ds.train[0]), len(cal))], cal), f
            checked += 1
    assert checked, "no model has windows of n=%d, m=%d" % (n, m)
    for split, k in (("train", N_TRAIN), ("val", N_VAL)):
        X, y = getattr(ds, split)
        p = pick(len(X), k)
        np.save(os.path.join(OUT, "n%d_m%d.%s_inputs.npy" % (n, m, split)), mt.NPFMT(X[p]))
        np.save(os.path.join(OUT, "n%d_m%d.%s_targets.npy" % (n, m, split)), mt.NPFMT(y[p]))
    mt.log("n%d_m%d" % (n, m), "train", len(ds.train[0]), "val", len(ds.val[0]), "windows; calibration windows of", checked, "models match")


def main():
    mt.ensure_data()
    os.makedirs(OUT, exist_ok=True)
    dates, raw3 = mt.load_hourly()
    blocks = mt.split_blocks(dates)
    norm3 = norm_of(raw3, blocks, ["pressure", "temperature", "wind"])
    for n in (12, 24):
        for m in (1, 3):
            save(mt.Dataset(raw3, n, m, norm3, blocks), n, m)
    raw7 = np.concatenate([raw3, mb.calendar_features(dates)], axis=1)
    mt.FEATURES[mb.M] = mb.FEATURES7
    mt.COLS.update({c: i for i, c in enumerate(mb.FEATURES7)})
    mt.N_TEST_SAMPLES = mt.N_CALIB_SAMPLES = mb.N_SAMPLES
    norm7 = norm_of(raw7, blocks, mb.FEATURES7)
    for n in sorted({b[0] for b in mb.BENCH}):
        save(mt.Dataset(raw7, n, mb.M, norm7, blocks), n, mb.M)


if __name__ == "__main__":
    main()
