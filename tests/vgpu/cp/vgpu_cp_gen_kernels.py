#!/usr/bin/env python3
"""Turns the project's built AMD code objects into a C table for the virtual GPU's command
processor: per kernel its machine code, its kernel descriptor fields and its kernarg layout.

Independent of layer/codeobj on purpose: the metadata comes from `llvm-readelf --notes` (YAML),
symbols and sections from `llvm-readelf -S -s`, and the 64-byte kernel descriptor is decoded
here from LLVM's AMDGPUUsage ("Kernel Descriptor for GFX6-GFX11" table: byte offsets below).

usage: vgpu_cp_gen_kernels.py READELF OUT.h [TARGET=FILE.co ...]
"""
import re
import struct
import subprocess
import sys

# AMDGPUUsage, "Kernel Descriptor for GFX6-GFX11": byte offsets of the fields read here.
KD_GROUP_SEGMENT_FIXED_SIZE = 0
KD_PRIVATE_SEGMENT_FIXED_SIZE = 4
KD_KERNARG_SIZE = 8
KD_KERNEL_CODE_ENTRY_BYTE_OFFSET = 16  # int64
KD_COMPUTE_PGM_RSRC3 = 44
KD_COMPUTE_PGM_RSRC1 = 48
KD_COMPUTE_PGM_RSRC2 = 52
KD_KERNEL_CODE_PROPERTIES = 56  # uint16
KD_SIZE = 64

ARG_KINDS = {"by_value": "VGPU_CP_ARG_BY_VALUE", "global_buffer": "VGPU_CP_ARG_GLOBAL_BUFFER"}


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def parse_yaml(lines):
    """The block-style YAML subset llvm-readelf prints for AMDGPU metadata: maps, sequences
    ("- "), plain or quoted scalars (no PyYAML on the CI image)."""
    def scalar(text):
        text = text.strip()
        if text[:1] in "'\"":
            return text[1:-1]
        try:
            return int(text, 0)
        except ValueError:
            return text

    def block(i, indent):
        if lines[i][1].startswith("- "):
            seq = []
            while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
                rest = lines[i][1][2:]
                if ":" in rest:  # a map starting on the dash line
                    lines[i] = (indent + 2, rest)
                    item, i = block(i, indent + 2)
                else:
                    item, i = scalar(rest), i + 1
                seq.append(item)
            return seq, i
        out = {}
        while i < len(lines) and lines[i][0] == indent and not lines[i][1].startswith("- "):
            key, _, value = lines[i][1].partition(":")
            i += 1
            if value.strip():
                out[key] = scalar(value)
            elif i < len(lines) and (lines[i][0] > indent or
                                     (lines[i][0] == indent and lines[i][1].startswith("- "))):
                out[key], i = block(i, lines[i][0])
            else:
                out[key] = None
        return out, i

    return block(0, lines[0][0])[0]


def metadata(readelf, path):
    """The NT_AMDGPU_METADATA note as llvm-readelf prints it (YAML between '---' and '...')."""
    out = run(readelf, "--notes", path).splitlines()
    start = out.index("---") if "---" in out else [l.strip() for l in out].index("---")
    body = []
    for line in out[start + 1:]:
        if line.strip() == "...":
            break
        if line.strip():
            body.append((len(line) - len(line.lstrip()), line.strip()))
    return parse_yaml(body)


def sections_and_symbols(readelf, path):
    out = run(readelf, "-S", "-s", "--wide", path)
    sections = []  # (address, file offset, size)
    symbols = {}   # name -> (value, size)
    # "[Nr] Name Type Address Off Size ..." and "Num: Value Size Type Bind Vis Ndx Name"
    sec_re = re.compile(r"^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]{16})\s+([0-9a-f]+)"
                        r"\s+([0-9a-f]+)")
    sym_re = re.compile(r"^\s*\d+:\s+([0-9a-f]{16})\s+(\d+)\s+(FUNC|OBJECT)\s+\S+\s+\S+"
                        r"\s+\d+\s+(\S+)")
    for line in out.splitlines():
        m = sec_re.match(line)
        if m and int(m.group(2), 16):
            sections.append((int(m.group(2), 16), int(m.group(3), 16), int(m.group(4), 16)))
            continue
        m = sym_re.match(line)
        if m:
            symbols[m.group(4)] = (int(m.group(1), 16), int(m.group(2)))
    return sections, symbols


def file_bytes(data, sections, addr, size):
    for sec_addr, sec_off, sec_size in sections:
        if sec_addr <= addr and addr + size <= sec_addr + sec_size:
            off = sec_off + addr - sec_addr
            return data[off:off + size]
    sys.exit(f"no section holds [0x{addr:x}, +{size})")


def c_bytes(b):
    return ",".join(str(x) for x in b)


def main():
    readelf, out_path = sys.argv[1], sys.argv[2]
    kernels = []
    for spec in sys.argv[3:]:
        target, path = spec.split("=", 1)
        data = open(path, "rb").read()
        meta = metadata(readelf, path)
        sections, symbols = sections_and_symbols(readelf, path)
        for k in meta["amdhsa.kernels"]:
            name = k[".name"]
            kd_addr, kd_size = symbols[k[".symbol"]]
            code_addr, code_size = symbols[name]
            kd = file_bytes(data, sections, kd_addr, KD_SIZE)
            entry = struct.unpack_from("<q", kd, KD_KERNEL_CODE_ENTRY_BYTE_OFFSET)[0]
            if kd_size != KD_SIZE or kd_addr + entry != code_addr:
                sys.exit(f"{path}: {name}: descriptor entry 0x{kd_addr + entry:x} is not the "
                         f"function symbol 0x{code_addr:x}")
            u32 = lambda off: struct.unpack_from("<I", kd, off)[0]
            if u32(KD_KERNARG_SIZE) != k[".kernarg_segment_size"]:
                sys.exit(f"{path}: {name}: descriptor and metadata disagree on the kernarg size")
            # A buffer the kernel may write: metadata .access absent or not read_only.
            args = [(a[".offset"], a[".size"], ARG_KINDS.get(a[".value_kind"]),
                     int(a[".value_kind"] == "global_buffer" and a.get(".access") != "read_only"))
                    for a in k[".args"]]
            if any(kind is None for _, _, kind, _ in args):
                sys.exit(f"{path}: {name}: an argument kind the CP does not know")
            kernels.append({
                "target": target, "name": name,
                "code": file_bytes(data, sections, code_addr, code_size),
                "rsrc1": u32(KD_COMPUTE_PGM_RSRC1), "rsrc2": u32(KD_COMPUTE_PGM_RSRC2),
                "rsrc3": u32(KD_COMPUTE_PGM_RSRC3),
                "props": struct.unpack_from("<H", kd, KD_KERNEL_CODE_PROPERTIES)[0],
                "group": u32(KD_GROUP_SEGMENT_FIXED_SIZE),
                "private": u32(KD_PRIVATE_SEGMENT_FIXED_SIZE),
                "kernarg": k[".kernarg_segment_size"],
                "wg": k.get(".reqd_workgroup_size", [0, 0, 0]),
                "wave": k[".wavefront_size"],
                "args": args,
            })
    with open(out_path, "w") as f:
        f.write("/* Generated by vgpu_cp_gen_kernels.py from the built code objects. */\n")
        f.write('#include "vgpu_cp_kernels.h"\n\n')
        for i, k in enumerate(kernels):
            f.write(f"static const uint8_t code{i}[] = {{{c_bytes(k['code'])}}};\n")
            f.write(f"static const struct vgpu_cp_arg args{i}[] = {{")
            f.write(",".join(f"{{{o},{s},{kind},{w}}}" for o, s, kind, w in k["args"]))
            f.write("};\n")
        f.write("const struct vgpu_cp_kernel vgpu_cp_kernels[] = {\n")
        for i, k in enumerate(kernels):
            wg = k["wg"]
            f.write(f'   {{"{k["target"]}", "{k["name"]}", code{i}, sizeof(code{i}), '
                    f'0x{k["rsrc1"]:08x}u, 0x{k["rsrc2"]:08x}u, 0x{k["rsrc3"]:08x}u, '
                    f'0x{k["props"]:04x}u, {k["group"]}u, {k["private"]}u, {k["kernarg"]}u, '
                    f'{{{wg[0]}u, {wg[1]}u, {wg[2]}u}}, {k["wave"]}u, args{i}, '
                    f'{len(k["args"])}u}},\n')
        if not kernels:
            f.write("   {0},\n")
        f.write("};\n")
        f.write(f"const unsigned vgpu_cp_kernel_count = {len(kernels)}u;\n")


if __name__ == "__main__":
    main()
