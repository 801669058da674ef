#!/usr/bin/env python3
"""python-dateutil + zoneinfo oracle for fixtures/oracle-corpus.json (one process, whole corpus).

Usage: oracle.py <corpus.json>  -> JSON {id: [iso instants] | {"error": msg}} on stdout.
       oracle.py --offsets         -> reads {zone: [epoch seconds]} on stdin, writes {zone: [UTC
                                      offsets in seconds]}: which tzdata the oracle reads.

Semantics mirrored from the package README:
- wall-clock rules: dateutil iterates local wall times; aware datetimes carry fold=0, so
  converting to UTC gives RFC 5545 3.3.5 (gap: offset before, i.e. shifted forward; fold: first);
- sub-daily rules without BY parts ("elapsed"): the same rule iterated in UTC from DTSTART's
  instant, i.e. every INTERVAL of elapsed time (dateutil would iterate the wall clock);
- mode "weekstart" (WEEKLY+BYSETPOS): DTSTART moved back to the start of its WKST week and the
  result cut at the real DTSTART, the RFC reading (dateutil#1398 cuts the first week before BYSETPOS).
"""
import json
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr, rruleset

UTC = timezone.utc
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def zone(name):
    return UTC if name in (None, "UTC") else ZoneInfo(name)


def stamp(value, tzid, default_zone):
    if value.endswith("Z"):
        return datetime.strptime(value[:-1], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    return datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=zone(tzid or default_zone), fold=0)


def instant(dt):
    return dt.astimezone(UTC)


def expand(rule, mode, max_n, years):
    zname = "UTC" if rule["dtForm"] == "Z" else rule["zone"]
    dtstart = stamp(rule["dtstart"], zname, zname)
    real_start = instant(dtstart)
    parts = rule["rrule"]
    if rule.get("until"):
        u = rule["until"]
        parts += ";UNTIL=" + instant(stamp(u["value"], u["tzid"], zname)).strftime("%Y%m%dT%H%M%SZ")
    if mode == "elapsed":
        dtstart = real_start
    if mode == "weekstart":
        wkst = next((p[5:] for p in parts.split(";") if p.startswith("WKST=")), "MO")
        back = (dtstart.weekday() - DAYS.index(wkst)) % 7
        dtstart = (dtstart.replace(tzinfo=None) - timedelta(days=back)).replace(tzinfo=dtstart.tzinfo, fold=0)
    rs = rruleset()
    rs.rrule(rrulestr("RRULE:" + parts, dtstart=dtstart))
    for d in rule.get("rdates", []):
        rs.rdate(stamp(d["value"], d["tzid"], zname))
    excluded = {instant(stamp(d["value"], d["tzid"], zname)) for d in rule.get("exdates", [])}
    end = real_start + timedelta(days=365 * years)
    lo = min([real_start] + [instant(stamp(d["value"], d["tzid"], zname)) for d in rule.get("rdates", [])])
    found = set()
    kth = None
    for dt in rs:
        t = instant(dt)
        if t > end + timedelta(days=2):
            break
        if mode == "weekstart" and t < real_start and not any(instant(stamp(d["value"], d["tzid"], zname)) == t for d in rule.get("rdates", [])):
            continue
        if t not in excluded and lo <= t <= end:
            found.add(t)
        if len(found) >= max_n and (kth is None or len(found) % 64 == 0):
            kth = sorted(found)[max_n - 1]
        if kth is not None and t > kth + timedelta(days=2):
            break
    return [t.strftime("%Y-%m-%dT%H:%M:%S.000Z") for t in sorted(found)[:max_n]]


def offsets():
    probe = json.load(sys.stdin)
    out = {}
    for name, instants in probe.items():
        tz = zone(name)
        out[name] = [int(datetime.fromtimestamp(t, UTC).astimezone(tz).utcoffset().total_seconds()) for t in instants]
    json.dump(out, sys.stdout)


def main():
    if sys.argv[1] == "--offsets":
        return offsets()
    corpus = json.load(open(sys.argv[1]))
    out = {}
    for rule in corpus["rules"]:
        modes = ["elapsed"] if rule.get("elapsed") else ["wall"]
        if rule.get("weeklySetpos"):
            modes = ["weekstart", "wall"]
        res = {}
        for mode in modes:
            try:
                res[mode] = expand(rule, mode, corpus["maxOccurrences"], corpus["windowYears"])
            except Exception as e:  # reported, and the test fails on it
                res[mode] = {"error": f"{type(e).__name__}: {e}"}
        out[str(rule["id"])] = res
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
