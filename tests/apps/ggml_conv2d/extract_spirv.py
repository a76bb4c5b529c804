#!/usr/bin/env python3
"""Extracts the SPIR-V that ggml's Vulkan backend embeds, and fingerprints it.

libggml-vulkan.so keeps each shader as two LOCAL symbols in .rodata (static .symtab only, not
the dynamic table): NAME_data (the SPIR-V bytes) and NAME_len (a uint64 byte count).

usage: extract_spirv.py LIB OUTDIR --info PM4D_SPIRV_INFO [--match REGEX] [--dis]
                        [--expect TABLE] [--known KNOWN_SHADERS]
Writes OUTDIR/NAME.spv for each NAME matching REGEX (default: conv2d kernels of conv2d_mm.comp),
OUTDIR/NAME.spvasm with --dis (spirv-dis), and prints one line per shader:
  NAME bytes fnv1a64(all bytes) fingerprint
The fingerprint is the project's (layer/conv2d/pm4d_fingerprint.h), as the built tool
pm4d-spirv-info prints it: the layer recognises shaders by it, and vktrace.c logs the same.
--expect: the NAME, bytes and fnv1a64 columns must equal TABLE (the blobs themselves);
--known: each NAME's fingerprint must be that of the entry ggml_NAME in KNOWN_SHADERS
(layer/conv2d/known_shaders.txt, the one place fingerprints are recorded).
Exit 1 if no shader matched, a blob is not SPIR-V, or a check fails."""
import argparse
import os
import re
import shutil
import struct
import subprocess
import sys

SPIRV_MAGIC = 0x07230203
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3


def fnv1a64(data):
    """FNV-1a 64 of the raw bytes: names a blob exactly (the fingerprint is what recognises)."""
    h = FNV_OFFSET
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


def fingerprint(info, path):
    """The project's fingerprint of a .spv file, from pm4d-spirv-info."""
    out = subprocess.run([info, path], capture_output=True, text=True)
    m = re.search(r"^fingerprint 0x([0-9a-f]{16})$", out.stdout, re.M)
    if out.returncode or not m:
        raise ValueError("%s: pm4d-spirv-info failed: %s" % (path, out.stderr.strip()))
    return int(m.group(1), 16)


def read_known(path):
    """{name: fingerprint} of the 'shader 0xFP NAME' lines of a known_shaders.txt."""
    known = {}
    with open(path) as f:
        for line in f:
            fields = line.split("#")[0].split()
            if len(fields) >= 3 and fields[0] == "shader":
                known[fields[2]] = int(fields[1], 16)
    return known


def read_symbols(blob):
    """Returns {name: (value, size)} from .symtab, and the section table."""
    if blob[:4] != b"\x7fELF" or blob[4] != 2 or blob[5] != 1:
        raise ValueError("not a little-endian ELF64 file")
    shoff, = struct.unpack_from("<Q", blob, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", blob, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", blob, shoff + i * shentsize) for i in range(shnum)]
    symtab = [s for s in sections if s[1] == 2]  # SHT_SYMTAB
    if not symtab:
        raise ValueError("no .symtab (stripped library)")
    _, _, _, _, off, size, link, _, _, entsize = symtab[0]
    stroff = sections[link][4]
    syms = {}
    for pos in range(off, off + size, entsize):
        name_off, _, _, _, value, sym_size = struct.unpack_from("<IBBHQQ", blob, pos)
        end = blob.index(b"\0", stroff + name_off)
        syms[blob[stroff + name_off:end].decode()] = (value, sym_size)
    return syms, sections


def file_offset(sections, vaddr):
    for s in sections:
        addr, offset, size, sh_type = s[3], s[4], s[5], s[1]
        if sh_type != 8 and addr <= vaddr < addr + size:  # skip SHT_NOBITS
            return vaddr - addr + offset
    raise ValueError("address 0x%x is in no section" % vaddr)


def read_expected(path):
    """NAME BYTES FNV1A64 per line; '#' starts a comment."""
    rows = {}
    with open(path) as f:
        for line in f:
            fields = line.split("#")[0].split()
            if fields:
                rows[fields[0]] = (int(fields[1]), int(fields[2], 16))
    return rows


def report(what, found, expected, show=str):
    """Prints each name whose value differs; True when none does."""
    for name in sorted(set(found) | set(expected)):
        if found.get(name) != expected.get(name):
            got, want = (show(v) if v is not None else "nothing"
                         for v in (found.get(name), expected.get(name)))
            print("MISMATCH %s %s: found %s, expected %s" % (what, name, got, want),
                  file=sys.stderr)
    return found == expected


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lib")
    ap.add_argument("outdir")
    ap.add_argument("--info", required=True, help="the built pm4d-spirv-info")
    ap.add_argument("--match", default=r"^conv2d_(f32|f16_f32)(_unroll|_cm1|_cm2)?$")
    ap.add_argument("--dis", action="store_true", help="also write NAME.spvasm with spirv-dis")
    ap.add_argument("--expect", help="fail unless the blobs found equal this table")
    ap.add_argument("--known", help="fail unless the fingerprints equal this known_shaders.txt")
    args = ap.parse_args()
    with open(args.lib, "rb") as f:
        blob = f.read()
    syms, sections = read_symbols(blob)
    names = sorted(n[:-5] for n in syms if n.endswith("_data") and re.search(args.match, n[:-5])
                   and n[:-5] + "_len" in syms)
    if not names:
        print("no shader matches %s" % args.match, file=sys.stderr)
        return 1
    dis = args.dis and shutil.which("spirv-dis")
    if args.dis and not dis:
        print("spirv-dis not found (apt: spirv-tools); writing .spv only", file=sys.stderr)
    os.makedirs(args.outdir, exist_ok=True)
    found, fingerprints = {}, {}
    for name in names:
        len_addr, _ = syms[name + "_len"]
        nbytes, = struct.unpack_from("<Q", blob, file_offset(sections, len_addr))
        data_addr, data_size = syms[name + "_data"]
        if nbytes > data_size or nbytes % 4:
            print("%s: length %d does not fit its %d-byte symbol" % (name, nbytes, data_size),
                  file=sys.stderr)
            return 1
        start = file_offset(sections, data_addr)
        spv = blob[start:start + nbytes]
        magic, = struct.unpack_from("<I", spv)
        if magic != SPIRV_MAGIC:
            print("%s: not SPIR-V (magic 0x%08x)" % (name, magic), file=sys.stderr)
            return 1
        path = os.path.join(args.outdir, name + ".spv")
        with open(path, "wb") as f:
            f.write(spv)
        note = ""
        # An older spirv-dis refuses newer capabilities (CooperativeMatrixKHR in the cm1 shaders).
        if dis and subprocess.run([dis, "--raw-id", path, "-o", path[:-4] + ".spvasm"],
                                  stderr=subprocess.DEVNULL).returncode:
            note = "  (spirv-dis failed)"
        try:
            fingerprints[name] = fingerprint(args.info, path)
        except ValueError as e:
            print(e, file=sys.stderr)
            return 1
        found[name] = (nbytes, fnv1a64(spv))
        print("%-24s %6d bytes  fnv1a64 %016x  fingerprint 0x%016x%s"
              % (name, nbytes, found[name][1], fingerprints[name], note))
    ok = True
    if args.expect:
        ok = report("blob", found, read_expected(args.expect)) and ok
    if args.known:
        known = read_known(args.known)
        ok = report("fingerprint", fingerprints,
                    {n: known["ggml_" + n] for n in found if "ggml_" + n in known},
                    "0x{:016x}".format) and ok
    if not ok:
        return 1
    print("all %d shaders match%s%s" % (len(found), " " + args.expect if args.expect else "",
                                        " and " + args.known if args.known else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
