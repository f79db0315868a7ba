#!/usr/bin/python3
"""Generate the reference-design models at the reference paper's shapes (m = 7 features)
for tfq's hardware and fit benchmarks.

Run from the repository root with Debian's Python (torch 1.13, onnx 1.12, numpy):

    /usr/bin/python3 testdata/make_bench_models.py

Writes testdata/models/bench_n{n}_d{d}_m7.{onnx,inputs.npy,targets.npy,torch_outputs.npy,
calibration.npy} and testdata/models/bench_manifest.json (entries of other names already in
it are kept). It never touches manifest.json, normalisation.json, summary.txt or any other
model file: the models, data loading, split, training and export all come from
make_testdata.py, unchanged.

The paper's air-quality data has 7 features; the hourly Seattle CSV has 3 (pressure,
temperature, wind). The 7 features here are those 3 plus 4 calendar features derived from
each row's timestamp: sin/cos of the hour of day and sin/cos of the day of year. All 7 are
standardised with the mean and population std over the training blocks' rows (like the
3 measured ones in make_testdata.py); the target is the next row's standardised temperature,
exactly as for the ref_* models. See testdata/README.md.
"""

import datetime
import json
import math
import os
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_testdata as mt  # noqa: E402  (sets one thread and deterministic algorithms)

M = 7
MEASURED = ["pressure", "temperature", "wind"]
CALENDAR = ["hour_sin", "hour_cos", "doy_sin", "doy_cos"]
FEATURES7 = MEASURED + CALENDAR
N_SAMPLES = 64  # saved test windows and calibration windows per model
LR = 3e-3
# (n, d_model, epochs): the paper's configurations (6,64), (12,64), (12,32) and the (24,64)
# one that did not fit the XC7S15; epochs chosen so the whole script runs in about 3.5 minutes
BENCH = [(12, 32, 15), (6, 64, 10), (12, 64, 7), (24, 64, 5)]
MANIFEST_PATH = os.path.join(mt.MODEL_DIR, "bench_manifest.json")


def calendar_features(dates):
    """[T, 4] float64: sin/cos of the hour of day (period 24 h) and of the day of year
    (period 365 days, hour included) of each 'YYYY-MM-DDTHH:MM:SS' timestamp."""
    out = np.empty((len(dates), 4))
    for i, s in enumerate(dates):
        t = datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S")
        h = 2 * math.pi * t.hour / 24.0
        y = 2 * math.pi * (t.timetuple().tm_yday - 1 + t.hour / 24.0) / 365.0
        out[i] = (math.sin(h), math.cos(h), math.sin(y), math.cos(y))
    return out


def main():
    mt.ensure_data()
    os.makedirs(mt.MODEL_DIR, exist_ok=True)
    dates, raw3 = mt.load_hourly()
    raw = np.concatenate([raw3, calendar_features(dates)], axis=1)  # columns in FEATURES7 order
    blocks = mt.split_blocks(dates)
    train_rows = np.concatenate([np.arange(a, b) for (a, b) in blocks["train"]])
    mean, std = raw[train_rows].mean(axis=0), raw[train_rows].std(axis=0)

    # make_testdata's Dataset/export read these module globals: register the 7-feature set,
    # its columns and normalisation, and save 64 instead of 256 windows. Only this process's
    # copy of the module changes, not the file.
    mt.FEATURES[M] = FEATURES7
    mt.COLS.update({c: i for i, c in enumerate(FEATURES7)})
    mt.N_TEST_SAMPLES = mt.N_CALIB_SAMPLES = N_SAMPLES
    norm = dict(
        features=FEATURES7,
        mean={k: float(mean[i]) for i, k in enumerate(FEATURES7)},
        std={k: float(std[i]) for i, k in enumerate(FEATURES7)},
        std_note="population std (ddof=0) over the rows of the training blocks; the split is "
                 "normalisation.json's (blocked time split)",
        calendar="hour_sin/cos = sin/cos(2 pi hour / 24); doy_sin/cos = sin/cos(2 pi (day_of_year - 1 "
                 "+ hour / 24) / 365), from each row's timestamp",
        target="standardised temperature of the next row: (temperature - mean.temperature) / std.temperature",
        rmse_to_degC="multiply an RMSE in standardised units by std.temperature",
    )
    mt.NORM = norm
    mt.log("rows", len(dates), "features", FEATURES7)

    datasets = {}
    names = []
    for (n, d, epochs) in BENCH:
        name = "bench_n%d_d%d_m%d" % (n, d, M)
        if n not in datasets:
            datasets[n] = mt.Dataset(raw, n, M, norm, blocks)
        ds = datasets[n]
        torch.manual_seed(mt.seed_for(name))
        model = mt.RefModel(n, d, M)
        assert sum(p.numel() for p in model.parameters()) == 12 * d * d + (15 + M) * d + 1
        best_val = mt.train(model, ds, name, epochs=epochs, lr=LR)
        mt.export(model, name, ds, family="bench", n=n, d=d, m=M, heads=1, layers=1, opset=13,
                  dynamic=True, batch_first=True, norm_first=False, activation="relu",
                  pooling="mean", pos_encoding=True,
                  extra=dict(ffn_dim=4 * d, norm="BatchNorm1d", epochs=epochs, lr=LR,
                             val_rmse=best_val, samples_saved=N_SAMPLES))
        names.append(name)

    entries = {}
    for e in mt.MANIFEST:
        # export() names the RMSE on the saved windows after make_testdata's 256; here 64
        e = {("test_rmse_%d" % N_SAMPLES if k == "test_rmse_256" else k): v for k, v in e.items()}
        entries[e["name"]] = e
    old = []
    if os.path.exists(MANIFEST_PATH):
        with open(MANIFEST_PATH) as f:
            old = [e for e in json.load(f)["models"] if e["name"] not in entries]
    with open(MANIFEST_PATH, "w") as f:
        json.dump(dict(generator="testdata/make_bench_models.py", torch=torch.__version__,
                       onnx=onnx.__version__,
                       exporter="torch.onnx.export (TorchScript), do_constant_folding=True, eval mode",
                       split="normalisation.json", normalisation=norm,
                       models=old + [entries[k] for k in names]), f, indent=1)

    print("%-20s %7s %9s %9s %9s %10s" % ("model", "params", "rmse", "rmse_C", "persist", "np_diff"))
    for k in names:
        e = entries[k]
        print("%-20s %7d %9.4f %9.4f %9.4f %10.1e" % (
            k, e["params"], e["test_rmse"], e["test_rmse_degC"], e["persistence_test_rmse"],
            e["numpy_onnx_max_abs_diff"]))
    mt.log("done")


if __name__ == "__main__":
    main()
