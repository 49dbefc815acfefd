"""Writes `data/sunspots.csv` (header `year,sunspots`, 309 rows, 1700..2008) from the copy of
the yearly sunspot numbers bundled inside statsmodels (`statsmodels.datasets.sunspots`), which
`examples/keras_timeseries.rs` forecasts.

Run from the repository root with a virtual environment holding statsmodels:

    python data/make_sunspots.py

The committed file was made with statsmodels 0.15.0. statsmodels states for this data set
(`statsmodels/datasets/sunspots/data.py`): COPYRIGHT = "This data is public domain.", SOURCE =
http://www.ngdc.noaa.gov/stp/solar/solarda3.html (NOAA National Geophysical Data Center).
Values are written with Python's shortest round-trip `repr` (integers without `.0`); nothing
is downloaded.
"""

import pathlib

import statsmodels
from statsmodels.datasets import sunspots

data = sunspots.load_pandas().data  # columns YEAR, SUNACTIVITY (floats)
years = data["YEAR"].tolist()
values = data["SUNACTIVITY"].tolist()
assert years == list(range(1700, 2009)), "expected one row per year 1700..2008"
assert all(v >= 0 for v in values), "sunspot numbers are not negative"


def cell(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


out = pathlib.Path(__file__).resolve().parent / "sunspots.csv"
with open(out, "w", newline="\n") as f:
    f.write("year,sunspots\n")
    for y, v in zip(years, values):
        f.write(f"{int(y)},{cell(v)}\n")
print(f"wrote {out} ({len(years)} rows) from statsmodels {statsmodels.__version__}")
