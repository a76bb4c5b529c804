#!/usr/bin/env python3
"""Extracts the SPIR-V that ggml's Vulkan backend embeds, and fingerprints it.

libggml-vulkan.so keeps each shader as two LOCAL symbols in .rodata (static .symtab only, not
the dynamic table): NAME_data (the SPIR-V bytes) and NAME_len (a uint64 byte count).

usage: extract_spirv.py LIB OUTDIR [--match REGEX] [--dis] [--expect TABLE]
Writes OUTDIR/NAME.spv for each NAME matching REGEX (default: conv2d kernels of conv2d_mm.comp),
OUTDIR/NAME.spvasm with --dis (spirv-dis), and prints one line per shader:
  NAME bytes fnv1a64(all words) fingerprint(code words)
The fingerprint is FNV-1a 64 over the bytes of every word after the 5-word header, skipping
whole debug instructions (OpSource*, OpString, OpName, OpMemberName, OpLine, OpNoLine,
OpModuleProcessed), so it survives a recompile that changes only names, the generator word or
debug info, and skipping the float-controls instructions that ggml inserts into every shader at
pipeline creation when the device has shaderRoundingModeRTEFloat16 / shaderDenormPreserveFloat16
(ggml-vulkan.cpp, ggml_vk_create_pipeline_func), so the embedded blob and the bytes the driver
receives fingerprint the same. vktrace.c computes the same function.
Exit 1 if no shader matched or a blob is not SPIR-V."""
import argparse
import os
import re
import shutil
import struct
import subprocess
import sys

SPIRV_MAGIC = 0x07230203
# Opcodes with no semantic effect (SPIR-V spec 3.42.2 "Debug Instructions").
DEBUG_OPS = {2, 3, 4, 5, 6, 7, 8, 317, 330}  # SourceContinued, Source, SourceExtension, Name,
                                             # MemberName, String, Line, NoLine, ModuleProcessed
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3


def fnv1a64(data, h=FNV_OFFSET):
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


def ignored(words, i, count):
    op = words[i] & 0xFFFF
    if op in DEBUG_OPS:
        return True
    if op == 17 and count == 2:  # OpCapability RoundingModeRTE / DenormPreserve
        return words[i + 1] in (4467, 4464)
    if op == 16 and count == 4:  # OpExecutionMode %ep RoundingModeRTE / DenormPreserve 16
        return words[i + 2] in (4462, 4459) and words[i + 3] == 16
    if op == 10:  # OpExtension "SPV_KHR_float_controls"
        raw = struct.pack("<%dI" % (count - 1), *words[i + 1:i + count])
        return raw.split(b"\0")[0] == b"SPV_KHR_float_controls"
    return False


def code_fingerprint(words):
    h = FNV_OFFSET
    i = 5
    while i < len(words):
        count = words[i] >> 16
        if count == 0 or i + count > len(words):
            raise ValueError("bad instruction word count at word %d" % i)
        if not ignored(words, i, count):
            h = fnv1a64(struct.pack("<%dI" % count, *words[i:i + count]), h)
        i += count
    return h


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
    """NAME BYTES FNV1A64 FINGERPRINT per line; '#' starts a comment."""
    rows = {}
    with open(path) as f:
        for line in f:
            fields = line.split("#")[0].split()
            if fields:
                rows[fields[0]] = (int(fields[1]), int(fields[2], 16), int(fields[3], 16))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lib")
    ap.add_argument("outdir")
    ap.add_argument("--match", default=r"^conv2d_(f32|f16_f32)(_unroll|_cm1|_cm2)?$")
    ap.add_argument("--dis", action="store_true", help="also write NAME.spvasm with spirv-dis")
    ap.add_argument("--expect", help="fail unless the shaders found equal this table")
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
    found = {}
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
        words = struct.unpack("<%dI" % (nbytes // 4), spv)
        if words[0] != SPIRV_MAGIC:
            print("%s: not SPIR-V (magic 0x%08x)" % (name, words[0]), file=sys.stderr)
            return 1
        path = os.path.join(args.outdir, name + ".spv")
        with open(path, "wb") as f:
            f.write(spv)
        note = ""
        # An older spirv-dis refuses newer capabilities (CooperativeMatrixKHR in the cm1 shaders).
        if dis and subprocess.run([dis, "--raw-id", path, "-o", path[:-4] + ".spvasm"],
                                  stderr=subprocess.DEVNULL).returncode:
            note = "  (spirv-dis failed)"
        found[name] = (nbytes, fnv1a64(spv), code_fingerprint(words))
        print("%-24s %6d bytes  fnv1a64 %016x  fingerprint %016x%s" % ((name,) + found[name] + (note,)))
    if args.expect:
        expected = read_expected(args.expect)
        if found != expected:
            for name in sorted(set(found) | set(expected)):
                if found.get(name) != expected.get(name):
                    print("MISMATCH %s: found %s, expected %s"
                          % (name, found.get(name), expected.get(name)), file=sys.stderr)
            return 1
        print("all %d shaders match %s" % (len(found), args.expect))
    return 0


if __name__ == "__main__":
    sys.exit(main())
