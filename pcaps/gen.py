#!/usr/bin/python3
"""Fixture generator for xdpcount: deterministic pcaps and their expected counts.

Usage:  /usr/bin/python3 pcaps/gen.py [OUTDIR]      (default OUTDIR: this directory)

Needs scapy (Debian's python3-scapy, 2.5).  Every run writes byte-identical files.

THE ORACLE RULE.  The expected counts come from what this script *declares* about
each packet it builds, never from parsing the bytes afterwards.  Every frame is added
with its meaning, next to the scapy expression that built it:

    c.add(E()/IP(src=V4A, dst=V4B)/UDP(sport=40001, dport=53),
          "IPv4 UDP to port 53",
          l3="ipv4", l4="udp", src=V4A, port=("udp", 53),
          flow=(V4A, V4B, 40001, 53, "udp"))

and Case.expect() sums those declarations.  The semantics are the "Counting
semantics" section of the top-level README.md (and README.md next to this file).
"""

import json
import logging
import os
import random
import socket
import struct
import sys
from dataclasses import dataclass
from decimal import Decimal

logging.getLogger("scapy").setLevel(logging.ERROR)

from scapy.layers.dns import DNS, DNSQR, DNSRR  # noqa: E402
from scapy.layers.inet import (ICMP, IP, TCP, UDP, IPOption_NOP,  # noqa: E402
                               IPOption_Router_Alert, IPOption_RR)
from scapy.layers.inet6 import (ICMPv6EchoReply, ICMPv6EchoRequest, IPv6,  # noqa: E402
                                IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                                IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, Jumbo, PadN)
from scapy.layers.ipsec import AH  # noqa: E402
from scapy.layers.l2 import (ARP, GRE, LLC, CookedLinux, Dot1AD, Dot1Q,  # noqa: E402
                             Dot3, Ether)
from scapy.packet import NoPayload, Padding, Raw  # noqa: E402
from scapy.utils import PcapNgWriter, RawPcapNgReader, RawPcapReader  # noqa: E402

# --------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------

T0 = 1700000000                       # record i is stamped T0 + i * 1 ms
ETH_HLEN = 14                         # shorter frames are never run: "skipped"
WIRE_MAX = 262144                     # libpcap's largest frame: longer wire lengths are not true
SIZE_BUCKETS = (64, 127, 255, 511, 1023, 1518, None)   # RMON (RFC 2819), le; None = >1518
L3_CLASSES = ("ipv4", "ipv6", "arp", "other")
L4_CLASSES = ("tcp", "udp", "icmp", "icmpv6", "other")
L4_NUMBERS = {"icmp": 1, "tcp": 6, "udp": 17, "icmpv6": 58}

LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113

MAC_A = "02:00:00:00:00:0a"
MAC_B = "02:00:00:00:00:0b"
BCAST = "ff:ff:ff:ff:ff:ff"
V4A, V4B = "192.0.2.1", "198.51.100.2"
V6A, V6B = "2001:db8::1", "2001:db8::2"
FAKE_PORT = 4444        # looks like a port in places that are not a port header: never counted

# ICMPv6 echo request (type 128), checksum left 0: payload for "protocol 58 inside IPv4".
ICMPV6_ECHO_BYTES = struct.pack("!BBHHH", 128, 0, 0, 1, 1) + b"echo"


def E(**kw):
    """The Ethernet header used by the small fixtures (fixed MACs: scapy must not guess)."""
    return Ether(dst=MAC_B, src=MAC_A, **kw)


def ntop(addr):
    """Print an address like inet_ntop(3) does."""
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    return socket.inet_ntop(fam, socket.inet_pton(fam, addr))


def family(addr):
    return "ipv6" if ":" in addr else "ipv4"


def bucket_of(length):
    for le in SIZE_BUCKETS:
        if le is None or length <= le:
            return le
    raise AssertionError("unreachable")


@dataclass
class Cut:
    """The first `length` bytes of a scapy packet: a frame cut short on the wire."""
    pkt: object
    length: int


def cut(pkt, length):
    return Cut(pkt, length)


LINK_LAYERS = (Ether, Dot3, Dot1Q, Dot1AD)
IPV6_EXT_LAYERS = (IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, IPv6ExtHdrDestOpt,
                   IPv6ExtHdrFragment, AH)


def header_offsets(pkt):
    """(l3, l4): the offsets of the layers this script built after the link layer (Ethernet
    and its tags) and after the outermost IP header (and, for IPv6, its extension headers).
    l4 is None when that layer is not IP.  Taken from the layers, not from the bytes."""
    whole = len(pkt)

    def offset(layer):
        return whole - len(layer) if not isinstance(layer, NoPayload) else whole

    layer = pkt
    while isinstance(layer, LINK_LAYERS):
        layer = layer.payload
    l3 = offset(layer)
    if not isinstance(layer, (IP, IPv6)):
        return l3, None
    upper = layer.payload
    while isinstance(layer, IPv6) and isinstance(upper, IPV6_EXT_LAYERS):
        upper = upper.payload
    return l3, offset(upper)


# --------------------------------------------------------------------------------------
# The Case / add() layer: frames plus their declared meaning
# --------------------------------------------------------------------------------------

@dataclass
class Frame:
    data: bytes            # the bytes written to the capture (caplen)
    wirelen: int           # the record's original length (below len(data) only when declared bad)
    description: str
    skipped: bool
    l3: str
    l4: str
    malformed: bool
    vlan: bool
    src: str
    port: tuple            # ("tcp"|"udp", dport) or None
    flow: tuple            # (src, dst, sport, dport, proto) or None
    l3_offset: int = None  # where scapy put the network-layer header (None: built as bytes)
    l4_offset: int = None  # where it put the upper-layer header (None: not IP)

    @property
    def bad_length(self):
        """A wire length that cannot be true: below the captured length, or above WIRE_MAX."""
        return self.wirelen < len(self.data) or self.wirelen > WIRE_MAX

    @property
    def counted(self):
        """The bytes the frame counts: its wire length, or what was captured when that is bad."""
        return len(self.data) if self.bad_length else self.wirelen


class Case:
    """One fixture: an ordered list of frames, each with its declared meaning."""

    def __init__(self, name, description):
        self.name = name
        self.description = description
        self.frames = []

    def add(self, pkt, description, *, l3=None, l4=None, src=None, port=None, flow=None,
            malformed=False, vlan=False, skipped=False, snap=None, wirelen=None):
        """Append one frame.  pkt: a scapy packet, cut(packet, length) or bytes.  The
        keyword arguments are the frame's meaning; they are checked for consistency among
        themselves (not against the bytes) and later summed into the expected counts.

        l3        "ipv4" | "ipv6" | "arp" | "other"     (None only if skipped)
        l4        "tcp" | "udp" | "icmp" | "icmpv6" | "other" | None  (IP header parsed)
        malformed IP frame whose header / extension chain is invalid or truncated
        src       outermost source address (required whenever l4 is set)
        port      (proto, dport): TCP/UDP with a complete header, not a non-first fragment
        flow      (src, dst, sport, dport, proto): proto "tcp"/"udp"/"icmp"/"icmpv6" or int
        vlan      outer EtherType is 0x8100 or 0x88A8
        skipped   frame shorter than 14 bytes (never run, counts only in "skipped")
        snap      write only the first `snap` bytes (caplen < wirelen)
        wirelen   write this as the record's original length instead (a corrupt record)
        """
        offsets = (None, None)
        if isinstance(pkt, Cut):
            offsets, pkt = header_offsets(pkt.pkt), bytes(pkt.pkt)[:pkt.length]
        elif not isinstance(pkt, bytes):
            offsets = header_offsets(pkt)
        data = pkt if isinstance(pkt, bytes) else bytes(pkt)
        wirelen = len(data) if wirelen is None else wirelen
        if snap is not None:
            data = data[:snap]
        where = "%s frame %d (%s)" % (self.name, len(self.frames), description)
        if src is not None:
            src = ntop(src)
        if flow is not None:
            flow = (ntop(flow[0]), ntop(flow[1]), flow[2], flow[3], flow[4])
        _check_meaning(where, len(data), l3, l4, src, port, flow, malformed, vlan, skipped)
        self.frames.append(Frame(data, wirelen, description, skipped, l3, l4, malformed,
                                 vlan, src, port, flow, *offsets))

    def expect(self, frames=None, **extra):
        return expected_counts(self.description, self.frames if frames is None else frames,
                               **extra)


def _check_meaning(where, length, l3, l4, src, port, flow, malformed, vlan, skipped):
    """Assertions over the declaration itself, so a typo in a fixture fails loudly."""
    def need(cond, msg):
        if not cond:
            raise AssertionError("%s: %s" % (where, msg))

    need(skipped == (length < ETH_HLEN), "skipped must be declared iff the frame is < 14 bytes")
    if skipped:
        need(l3 is None and l4 is None and src is None and port is None and flow is None
             and not malformed and not vlan, "a skipped frame has no other meaning")
        return
    need(l3 in L3_CLASSES, "l3 must be one of %s" % (L3_CLASSES,))
    if l3 not in ("ipv4", "ipv6"):
        need(l4 is None and not malformed and src is None and port is None and flow is None,
             "non-IP frames have no l4/malformed/src/port/flow")
        return
    need((l4 is None) == malformed, "an IP frame is either malformed or has an l4 class")
    if malformed:
        need(src is None and port is None and flow is None, "malformed frames count nowhere else")
        return
    need(l4 in L4_CLASSES, "l4 must be one of %s" % (L4_CLASSES,))
    need(src is not None and family(src) == l3, "l4-counted frames need a source of their family")
    if port is not None:
        need(l4 in ("tcp", "udp") and port[0] == l4, "ports only for tcp/udp")
        need(flow is not None and flow[3] == port[1], "a port implies a flow with that dport")
    if flow is not None:
        need(flow[0] == src and family(flow[1]) == l3, "flow src/dst must be the outer header's")
        proto = flow[4]
        if l4 == "other":
            need(isinstance(proto, int) and proto not in L4_NUMBERS.values(),
                 "l4 other flows carry the protocol number")
        else:
            need(proto == l4, "flow proto must be the l4 class")
        if l4 not in ("tcp", "udp"):
            need(flow[2] == 0 and flow[3] == 0, "non-TCP/UDP flows have sport = dport = 0")
        else:
            need(port is not None, "a TCP/UDP flow implies a port")


def expected_counts(description, frames, **extra):
    """Sum the declarations of `frames` into the NAME.expect.json structure."""
    def pb():
        return {"packets": 0, "bytes": 0}

    def inc(d, n):
        d["packets"] += 1
        d["bytes"] += n

    out = {"description": description, "frames": len(frames), "skipped": 0,
           "truncated": False, "damaged": False,
           "snapped": sum(1 for f in frames if len(f.data) < f.counted),
           "bad_length": sum(1 for f in frames if f.bad_length),
           "first_ns": stamp_ns(0) if frames else None,
           "last_ns": stamp_ns(len(frames) - 1) if frames else None,
           "total": pb(), "malformed": pb(), "vlan": pb(),
           "l3": {k: pb() for k in L3_CLASSES}, "l4": {k: pb() for k in L4_CLASSES}}
    sizes = {le: pb() for le in SIZE_BUCKETS}
    sources, ports, flows, cases = {}, {}, {}, []

    for i, f in enumerate(frames):
        n = f.counted
        cases.append({"frame": i, "description": f.description, "len": len(f.data),
                      "wire_len": f.wirelen, "bytes": n, "bad_length": f.bad_length,
                      "skipped": f.skipped, "l3": f.l3, "l4": f.l4,
                      "malformed": f.malformed, "vlan": f.vlan,
                      "l3_offset": f.l3_offset, "l4_offset": f.l4_offset,
                      "port": list(f.port) if f.port else None,
                      "flow": f.flow is not None})
        if f.skipped:
            out["skipped"] += 1
            continue
        inc(out["total"], n)
        inc(out["l3"][f.l3], n)
        inc(sizes[bucket_of(n)], n)
        if f.vlan:
            inc(out["vlan"], n)
        if f.malformed:
            inc(out["malformed"], n)
        if f.l4 is not None:
            inc(out["l4"][f.l4], n)
            inc(sources.setdefault(f.src, pb()), n)
        if f.port is not None:
            inc(ports.setdefault(f.port, pb()), n)
        if f.flow is not None:
            inc(flows.setdefault(f.flow, pb()), n)

    out["sizes"] = [dict(le=le, **sizes[le]) for le in SIZE_BUCKETS]
    out["sources"] = [dict(addr=a, **v) for a, v in
                      sorted(sources.items(), key=lambda kv: (-kv[1]["packets"], kv[0]))]
    out["dst_ports"] = [dict(proto=k[0], port=k[1], **v) for k, v in
                        sorted(ports.items(), key=lambda kv: (-kv[1]["packets"], kv[0]))]
    out["flows"] = [dict(zip(("src", "dst", "sport", "dport", "proto"), k), **v)
                    for k, v in sorted(flows.items(), key=lambda kv: (
                        -kv[1]["packets"], kv[0][:4], str(kv[0][4])))]
    out["cases"] = cases
    out.update(extra)
    check_invariants(out)
    return out


def check_invariants(x):
    """The partitions of the contract, asserted over the declared data."""
    def s(items, key):
        return sum(v[key] for v in items)

    for key in ("packets", "bytes"):
        t = x["total"][key]
        assert s(x["l3"].values(), key) == t, "l3 partitions total"
        assert s(x["sizes"], key) == t, "sizes partition total"
        assert x["l3"]["ipv4"][key] + x["l3"]["ipv6"][key] == \
            s(x["l4"].values(), key) + x["malformed"][key], "ipv4+ipv6 = sum(l4)+malformed"
        assert s(x["sources"], key) == s(x["l4"].values(), key), "sources cover l4"
        assert s(x["dst_ports"], key) <= x["l4"]["tcp"][key] + x["l4"]["udp"][key]
        assert s(x["flows"], key) <= s(x["l4"].values(), key)
        assert x["vlan"][key] <= t
    assert x["total"]["packets"] + x["skipped"] == x["frames"]
    assert len(x["cases"]) == x["frames"]


# --------------------------------------------------------------------------------------
# Fixtures.  One builder per fixture; its docstring is the fixture's description.
# --------------------------------------------------------------------------------------

FIXTURES = []


def fixture(name):
    def register(fn):
        FIXTURES.append((name, fn))
        return fn
    return register


@fixture("l3_classes")
def build_l3_classes(c):
    """Every l3 and every l4 class at least once, incl. ICMP in IPv6 and protocol 58 in IPv4."""
    # IPv4
    c.add(E()/IP(src=V4A, dst=V4B)/TCP(sport=40000, dport=80, flags="S"),
          "IPv4 TCP SYN to port 80",
          l3="ipv4", l4="tcp", src=V4A, port=("tcp", 80), flow=(V4A, V4B, 40000, 80, "tcp"))
    c.add(E()/IP(src=V4A, dst=V4B)/UDP(sport=40001, dport=53)/Raw(b"q" * 20),
          "IPv4 UDP to port 53",
          l3="ipv4", l4="udp", src=V4A, port=("udp", 53), flow=(V4A, V4B, 40001, 53, "udp"))
    c.add(E()/IP(src=V4A, dst=V4B)/ICMP(type=8, id=1, seq=1)/Raw(b"ping" * 8),
          "IPv4 ICMP echo request",
          l3="ipv4", l4="icmp", src=V4A, flow=(V4A, V4B, 0, 0, "icmp"))
    c.add(E()/IP(src=V4B, dst=V4A)/ICMP(type=0, id=1, seq=1)/Raw(b"ping" * 8),
          "IPv4 ICMP echo reply",
          l3="ipv4", l4="icmp", src=V4B, flow=(V4B, V4A, 0, 0, "icmp"))
    c.add(E()/IP(src=V4A, dst=V4B)/GRE()/IP(src="10.9.9.1", dst="10.9.9.2")/UDP(sport=1, dport=2),
          "IPv4 GRE (47) carrying IPv4/UDP: l4 other, only the outer header counts",
          l3="ipv4", l4="other", src=V4A, flow=(V4A, V4B, 0, 0, 47))
    c.add(E()/IP(src=V4A, dst=V4B)/IPv6(src="2001:db8:99::1", dst="2001:db8:99::2")/UDP(dport=3),
          "IPv4 protocol 41 (6in4): l4 other, inner IPv6 not counted",
          l3="ipv4", l4="other", src=V4A, flow=(V4A, V4B, 0, 0, 41))
    c.add(E()/IP(src=V4A, dst=V4B, proto=58)/Raw(ICMPV6_ECHO_BYTES),
          "IPv4 with protocol 58: l4 icmpv6 (by number, whatever the family)",
          l3="ipv4", l4="icmpv6", src=V4A, flow=(V4A, V4B, 0, 0, "icmpv6"))
    # IPv6
    c.add(E()/IPv6(src=V6A, dst=V6B)/TCP(sport=40002, dport=443, flags="S"),
          "IPv6 TCP SYN to port 443",
          l3="ipv6", l4="tcp", src=V6A, port=("tcp", 443), flow=(V6A, V6B, 40002, 443, "tcp"))
    c.add(E()/IPv6(src=V6A, dst=V6B)/UDP(sport=40003, dport=53)/Raw(b"q" * 20),
          "IPv6 UDP to port 53",
          l3="ipv6", l4="udp", src=V6A, port=("udp", 53), flow=(V6A, V6B, 40003, 53, "udp"))
    c.add(E()/IPv6(src=V6A, dst=V6B)/ICMPv6EchoRequest(id=1, seq=1, data=b"ping" * 8),
          "IPv6 ICMPv6 echo request",
          l3="ipv6", l4="icmpv6", src=V6A, flow=(V6A, V6B, 0, 0, "icmpv6"))
    c.add(E()/IPv6(src=V6A, dst=V6B)/GRE()/Raw(b"\x00" * 20),
          "IPv6 GRE (47): l4 other",
          l3="ipv6", l4="other", src=V6A, flow=(V6A, V6B, 0, 0, 47))
    c.add(E()/IPv6(src=V6A, dst=V6B, nh=132)/Raw(b"\x00\x07\x00\x09" + b"\x00" * 8),
          "IPv6 SCTP (132): l4 other",
          l3="ipv6", l4="other", src=V6A, flow=(V6A, V6B, 0, 0, 132))
    c.add(E()/IPv6(src=V6A, dst=V6B, nh=1)/ICMP(type=8, id=2, seq=2),
          "IPv6 with next header 1 (ICMP for IPv4): l4 icmp",
          l3="ipv6", l4="icmp", src=V6A, flow=(V6A, V6B, 0, 0, "icmp"))
    # ARP and everything else
    c.add(Ether(dst=BCAST, src=MAC_A)/ARP(op=1, hwsrc=MAC_A, psrc=V4A,
                                         hwdst="00:00:00:00:00:00", pdst=V4B),
          "ARP who-has (42 bytes, unpadded)",
          l3="arp")
    c.add(Ether(dst=MAC_A, src=MAC_B)/ARP(op=2, hwsrc=MAC_B, psrc=V4B, hwdst=MAC_A, pdst=V4A)
          / Padding(b"\x00" * 18),
          "ARP is-at (padded to 60)",
          l3="arp")
    c.add(Ether(dst=BCAST, src=MAC_A, type=0x8035)/ARP(op=3, hwsrc=MAC_A, psrc="0.0.0.0",
                                                      hwdst=MAC_A, pdst="0.0.0.0"),
          "RARP request (0x8035): other",
          l3="other")
    c.add(Dot3(dst="01:80:c2:00:00:00", src=MAC_A)/LLC(dsap=0x42, ssap=0x42, ctrl=3)
          / Raw(b"\x00" * 35),
          "802.3 length field + LLC (STP-like): other",
          l3="other")
    c.add(E(type=0x88B5)/Raw(b"local experimental ethertype"),
          "unknown EtherType 0x88B5: other",
          l3="other")
    c.add(E(type=0x0600)/Raw(b"\x00" * 46),
          "EtherType exactly 0x0600 (first non-length value, unknown): other",
          l3="other")
    c.add(E(type=0x05DC)/Raw(b"\x00" * 46),
          "length field 1500 (0x05DC, largest 802.3 length): other",
          l3="other")
    # 14-byte frames: just an Ethernet header
    c.add(E(type=0x0800),
          "14 bytes, EtherType IPv4, no IPv4 header: malformed ipv4",
          l3="ipv4", malformed=True)
    c.add(E(type=0x86DD),
          "14 bytes, EtherType IPv6, no IPv6 header: malformed ipv6",
          l3="ipv6", malformed=True)
    c.add(E(type=0x0806),
          "14 bytes, EtherType ARP, no ARP body: arp (ARP is classified by EtherType only)",
          l3="arp")
    c.add(E(type=0x88B5),
          "14 bytes, unknown EtherType: other",
          l3="other")


@fixture("ipv4_edge")
def build_ipv4_edge(c):
    """IPv4 header edge cases: options, bad IHL/version, truncation, short L4 headers."""
    ip = dict(src=V4A, dst=V4B)
    # options: L4 starts at IHL*4
    c.add(E()/IP(options=[IPOption_NOP()] * 4, **ip)/UDP(sport=5000, dport=5001),
          "IHL 6 (4 NOP options) UDP to 5001",
          l3="ipv4", l4="udp", src=V4A, port=("udp", 5001), flow=(V4A, V4B, 5000, 5001, "udp"))
    c.add(E()/IP(options=[IPOption_RR(routers=["10.0.0.1", "10.0.0.2"])], **ip)
          / TCP(sport=5000, dport=8080, flags="S"),
          "IHL 8 (Record Route, 2 routes) TCP to 8080",
          l3="ipv4", l4="tcp", src=V4A, port=("tcp", 8080), flow=(V4A, V4B, 5000, 8080, "tcp"))
    c.add(E()/IP(options=[IPOption_NOP()] * 40, **ip)/UDP(sport=5000, dport=5002),
          "IHL 15 (40 bytes of NOP options, the maximum) UDP to 5002",
          l3="ipv4", l4="udp", src=V4A, port=("udp", 5002), flow=(V4A, V4B, 5000, 5002, "udp"))
    c.add(E()/IP(options=[IPOption_Router_Alert(alert=FAKE_PORT)], **ip)
          / UDP(sport=5555, dport=5004),
          "IHL 6, Router Alert whose bytes 2-3 are 4444: port is 5004 (read at IHL*4, not 20)",
          l3="ipv4", l4="udp", src=V4A, port=("udp", 5004), flow=(V4A, V4B, 5555, 5004, "udp"))
    c.add(E()/IP(options=[IPOption_NOP()] * 4, **ip)/TCP(sport=5000, dport=5005)/Raw(b"x" * 30),
          "IHL 6 TCP to 5005 with payload",
          l3="ipv4", l4="tcp", src=V4A, port=("tcp", 5005), flow=(V4A, V4B, 5000, 5005, "tcp"))
    # bad IHL / version
    c.add(E()/IP(ihl=4, **ip)/UDP(sport=5000, dport=5006)/Raw(b"x" * 20),
          "IHL 4: malformed",
          l3="ipv4", malformed=True)
    c.add(E()/IP(ihl=0, **ip)/UDP(sport=5000, dport=5006)/Raw(b"x" * 20),
          "IHL 0: malformed",
          l3="ipv4", malformed=True)
    c.add(E(type=0x0800)/IPv6(src=V6A, dst=V6B)/UDP(sport=5000, dport=5006),
          "an IPv6 packet behind EtherType 0x0800 (version 6): malformed ipv4",
          l3="ipv4", malformed=True)
    c.add(E()/IP(version=5, **ip)/UDP(sport=5000, dport=5006)/Raw(b"x" * 20),
          "version 5: malformed",
          l3="ipv4", malformed=True)
    c.add(E()/IP(version=0, **ip)/UDP(sport=5000, dport=5006)/Raw(b"x" * 20),
          "version 0: malformed",
          l3="ipv4", malformed=True)
    # header past the end of the frame
    c.add(cut(E()/IP(options=[IPOption_NOP()] * 40, **ip)/UDP(sport=5000, dport=5006), 14 + 30),
          "IHL 15 but the frame ends after 30 bytes of IP: malformed",
          l3="ipv4", malformed=True)
    c.add(cut(E()/IP(options=[IPOption_NOP()] * 4, **ip)/UDP(sport=5000, dport=5006), 14 + 23),
          "IHL 6, frame ends one byte short of the 24-byte header: malformed",
          l3="ipv4", malformed=True)
    c.add(cut(E()/IP(**ip)/UDP(sport=5000, dport=5006), 14 + 19),
          "19 bytes of IPv4 header: malformed",
          l3="ipv4", malformed=True)
    c.add(cut(E()/IP(**ip)/UDP(sport=5000, dport=5006), 14 + 1),
          "1 byte of IPv4 header: malformed",
          l3="ipv4", malformed=True)
    # header complete, L4 truncated
    c.add(cut(E()/IP(**ip)/TCP(sport=5000, dport=5007), 14 + 20),
          "TCP, frame ends right after the IP header: tcp, no port, no flow",
          l3="ipv4", l4="tcp", src=V4A)
    c.add(cut(E()/IP(**ip)/UDP(sport=5000, dport=5007), 14 + 20),
          "UDP, frame ends right after the IP header: udp, no port, no flow",
          l3="ipv4", l4="udp", src=V4A)
    c.add(cut(E()/IP(**ip)/TCP(sport=5000, dport=5007), 14 + 20 + 10),
          "TCP with only 10 bytes of header: tcp, no port, no flow",
          l3="ipv4", l4="tcp", src=V4A)
    c.add(cut(E()/IP(**ip)/TCP(sport=5000, dport=5007), 14 + 20 + 19),
          "TCP with 19 bytes of header: tcp, no port, no flow",
          l3="ipv4", l4="tcp", src=V4A)
    c.add(E()/IP(**ip)/TCP(sport=5000, dport=5008),
          "TCP with exactly 20 bytes of header and no payload: port 5008",
          l3="ipv4", l4="tcp", src=V4A, port=("tcp", 5008), flow=(V4A, V4B, 5000, 5008, "tcp"))
    c.add(cut(E()/IP(**ip)/UDP(sport=5000, dport=5007), 14 + 20 + 7),
          "UDP with 7 bytes of header: udp, no port, no flow",
          l3="ipv4", l4="udp", src=V4A)
    c.add(E()/IP(**ip)/UDP(sport=5000, dport=5009),
          "UDP with exactly 8 bytes of header and no payload: port 5009",
          l3="ipv4", l4="udp", src=V4A, port=("udp", 5009), flow=(V4A, V4B, 5000, 5009, "udp"))
    c.add(cut(E()/IP(options=[IPOption_NOP()] * 4, **ip)/TCP(sport=5000, dport=5007),
          14 + 24 + 10),
          "IHL 6 and 10 bytes of TCP: tcp, no port (20 bytes after offset 20 would be there)",
          l3="ipv4", l4="tcp", src=V4A)
    c.add(cut(E()/IP(options=[IPOption_NOP()] * 40, **ip)/UDP(sport=5000, dport=5007),
          14 + 60),
          "IHL 15, frame ends exactly at the end of the 60-byte header, UDP: udp, no port",
          l3="ipv4", l4="udp", src=V4A)
    c.add(E()/IP(proto=1, **ip),
          "ICMP with zero bytes after the IP header: icmp, flow with ports 0",
          l3="ipv4", l4="icmp", src=V4A, flow=(V4A, V4B, 0, 0, "icmp"))
    # total length is not validated (only the frame end matters)
    c.add(E()/IP(len=1000, **ip)/UDP(sport=5000, dport=5010)/Raw(b"x" * 10),
          "IP total length 1000 > frame: not checked, udp port 5010",
          l3="ipv4", l4="udp", src=V4A, port=("udp", 5010), flow=(V4A, V4B, 5000, 5010, "udp"))
    c.add(E()/IP(len=0, **ip)/TCP(sport=5000, dport=5011)/Raw(b"x" * 10),
          "IP total length 0 (as in TSO captures): not checked, tcp port 5011",
          l3="ipv4", l4="tcp", src=V4A, port=("tcp", 5011), flow=(V4A, V4B, 5000, 5011, "tcp"))
    c.add(E()/IP(**ip)/TCP(sport=5000, dport=5012, flags="S",
                          options=[("MSS", 1460), ("WScale", 7), ("NOP", None), ("SAckOK", b"")]),
          "TCP with options (data offset 8): port 5012",
          l3="ipv4", l4="tcp", src=V4A, port=("tcp", 5012), flow=(V4A, V4B, 5000, 5012, "tcp"))
    # protocol numbers that are extension headers in IPv6 are plain protocols in IPv4
    c.add(E()/IP(**ip)/AH(nh=6, payloadlen=4, spi=0x100, seq=1, icv=b"\xaa" * 12)
          / TCP(sport=5000, dport=5013),
          "IPv4 AH (51) then TCP: l4 other 51 (IPv4 walks no extension headers)",
          l3="ipv4", l4="other", src=V4A, flow=(V4A, V4B, 0, 0, 51))
    c.add(E()/IP(proto=0, **ip)/Raw(b"\x11\x00" + b"\x00" * 6),
          "IPv4 protocol 0: l4 other 0 (not a hop-by-hop header in IPv4)",
          l3="ipv4", l4="other", src=V4A, flow=(V4A, V4B, 0, 0, 0))
    c.add(E()/IP(proto=255, **ip)/Raw(b"\x00" * 8),
          "IPv4 protocol 255: l4 other 255",
          l3="ipv4", l4="other", src=V4A, flow=(V4A, V4B, 0, 0, 255))


def dest_opts(count, last_nh):
    """`count` chained 8-byte Destination Options headers, the last naming `last_nh`."""
    chain = IPv6ExtHdrDestOpt(nh=last_nh)
    for _ in range(count - 1):
        chain = IPv6ExtHdrDestOpt(nh=60) / chain
    return chain


@fixture("ipv6_ext")
def build_ipv6_ext(c):
    """IPv6 header edge cases: bad version, truncation, each extension header, chains of 5/8/9."""
    ip6 = dict(src=V6A, dst=V6B)
    ah24 = dict(payloadlen=4, spi=0x100, seq=1, icv=b"\xaa" * 12)     # (4+2)*4 = 24 bytes
    # bad version / short header
    c.add(E()/IPv6(version=4, **ip6)/UDP(sport=6000, dport=6000)/Raw(b"x" * 20),
          "version field 4 in an IPv6 EtherType frame: malformed",
          l3="ipv6", malformed=True)
    c.add(E()/IPv6(version=0, **ip6)/UDP(sport=6000, dport=6000)/Raw(b"x" * 20),
          "version field 0: malformed",
          l3="ipv6", malformed=True)
    c.add(E(type=0x86DD)/IP(src=V4A, dst=V4B)/UDP(sport=6000, dport=6000)/Raw(b"x" * 40),
          "an IPv4 packet behind EtherType 0x86DD (version 4): malformed ipv6",
          l3="ipv6", malformed=True)
    c.add(cut(E()/IPv6(**ip6)/UDP(sport=6000, dport=6000), 14 + 39),
          "39 bytes of IPv6 header: malformed",
          l3="ipv6", malformed=True)
    c.add(cut(E()/IPv6(**ip6)/UDP(sport=6000, dport=6000), 14 + 8),
          "8 bytes of IPv6 header: malformed",
          l3="ipv6", malformed=True)
    c.add(cut(E()/IPv6(**ip6)/UDP(sport=6000, dport=6000), 14 + 40),
          "exactly 40 bytes of IPv6 header, next header UDP, no UDP bytes: udp, no port/flow",
          l3="ipv6", l4="udp", src=V6A)
    c.add(cut(E()/IPv6(**ip6)/TCP(sport=6000, dport=6000), 14 + 40 + 12),
          "IPv6 with 12 bytes of TCP: tcp, no port/flow",
          l3="ipv6", l4="tcp", src=V6A)
    # each extension header alone
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrHopByHop(nh=17)/UDP(sport=6000, dport=6001),
          "Hop-by-Hop (8 bytes) then UDP 6001",
          l3="ipv6", l4="udp", src=V6A, port=("udp", 6001), flow=(V6A, V6B, 6000, 6001, "udp"))
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrHopByHop(nh=58)/ICMPv6EchoRequest(id=1, seq=1),
          "Hop-by-Hop then ICMPv6 echo",
          l3="ipv6", l4="icmpv6", src=V6A, flow=(V6A, V6B, 0, 0, "icmpv6"))
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrRouting(nh=6, addresses=["2001:db8::99"])
          / TCP(sport=6000, dport=6002, flags="S"),
          "Routing header type 0 (24 bytes) then TCP 6002; the flow dst is the header's dst",
          l3="ipv6", l4="tcp", src=V6A, port=("tcp", 6002), flow=(V6A, V6B, 6000, 6002, "tcp"))
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrDestOpt(nh=58)/ICMPv6EchoRequest(id=1, seq=2),
          "Destination Options then ICMPv6 echo",
          l3="ipv6", l4="icmpv6", src=V6A, flow=(V6A, V6B, 0, 0, "icmpv6"))
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrDestOpt(nh=17, options=[PadN(optdata=b"\x00" * 28)])
          / UDP(sport=6000, dport=6010),
          "Destination Options of 32 bytes (len 3) then UDP 6010",
          l3="ipv6", l4="udp", src=V6A, port=("udp", 6010), flow=(V6A, V6B, 6000, 6010, "udp"))
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrDestOpt(nh=1)/ICMP(type=8, id=3, seq=3),
          "Destination Options then next header 1 (ICMP): icmp",
          l3="ipv6", l4="icmp", src=V6A, flow=(V6A, V6B, 0, 0, "icmp"))
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrFragment(nh=17, offset=0, m=1, id=1)
          / UDP(sport=6000, dport=6003)/Raw(b"x" * 64),
          "Fragment header, first fragment (offset 0, M=1), UDP 6003: port and flow",
          l3="ipv6", l4="udp", src=V6A, port=("udp", 6003), flow=(V6A, V6B, 6000, 6003, "udp"))
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrFragment(nh=6, res1=0x10, offset=0, m=0, id=2)
          / TCP(sport=6000, dport=6004),
          "Fragment header with reserved byte 0x10 (length is still 8), atomic, TCP 6004",
          l3="ipv6", l4="tcp", src=V6A, port=("tcp", 6004), flow=(V6A, V6B, 6000, 6004, "tcp"))
    c.add(E()/IPv6(**ip6)/AH(nh=17, **ah24)/UDP(sport=6000, dport=6005),
          "AH (len 4: (4+2)*4 = 24 bytes, not (4+1)*8) then UDP 6005, frame ends with UDP",
          l3="ipv6", l4="udp", src=V6A, port=("udp", 6005), flow=(V6A, V6B, 6000, 6005, "udp"))
    c.add(E()/IPv6(**ip6)/AH(nh=6, payloadlen=6, spi=0x100, seq=2, icv=b"\xbb" * 20)
          / TCP(sport=6000, dport=6011),
          "AH (len 6: 32 bytes) then TCP 6011",
          l3="ipv6", l4="tcp", src=V6A, port=("tcp", 6011), flow=(V6A, V6B, 6000, 6011, "tcp"))
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrHopByHop(nh=17, options=[PadN(optdata=b"\x00" * 254),
                                                            PadN(optdata=b"\x00" * 4)])
          / UDP(sport=6000, dport=6012),
          "Hop-by-Hop of 264 bytes then UDP 6012: the headers reach past the first 256 bytes",
          l3="ipv6", l4="udp", src=V6A, port=("udp", 6012), flow=(V6A, V6B, 6000, 6012, "udp"))
    # chains
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrHopByHop(nh=60)/IPv6ExtHdrDestOpt(nh=43)
          / IPv6ExtHdrRouting(nh=44, addresses=["2001:db8::99"])
          / IPv6ExtHdrFragment(nh=51, offset=0, m=0, id=3)/AH(nh=17, **ah24)
          / UDP(sport=6000, dport=6006),
          "chain of 5: HBH > DestOpt > Routing > Fragment(atomic) > AH > UDP 6006",
          l3="ipv6", l4="udp", src=V6A, port=("udp", 6006), flow=(V6A, V6B, 6000, 6006, "udp"))
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrHopByHop(nh=60)/dest_opts(7, last_nh=17)
          / UDP(sport=6000, dport=6008),
          "chain of exactly 8: HBH + 7 DestOpt > UDP 6008 (allowed)",
          l3="ipv6", l4="udp", src=V6A, port=("udp", 6008), flow=(V6A, V6B, 6000, 6008, "udp"))
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrHopByHop(nh=60)/dest_opts(7, last_nh=59),
          "chain of exactly 8 ending in No Next Header (59): l4 other 59",
          l3="ipv6", l4="other", src=V6A, flow=(V6A, V6B, 0, 0, 59))
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrHopByHop(nh=60)/dest_opts(8, last_nh=17)
          / UDP(sport=6000, dport=6009),
          "chain of 9: HBH + 8 DestOpt > UDP 6009: malformed",
          l3="ipv6", malformed=True)
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrHopByHop(nh=60)/dest_opts(7, last_nh=44)
          / IPv6ExtHdrFragment(nh=17, offset=0, m=1, id=4)/UDP(sport=6000, dport=6009),
          "chain of 9 whose 9th is a Fragment header: malformed",
          l3="ipv6", malformed=True)
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrHopByHop(nh=60)/dest_opts(7, last_nh=60),
          "8 headers, the 8th names another DestOpt but the frame ends: malformed",
          l3="ipv6", malformed=True)
    # truncated chains
    c.add(cut(E()/IPv6(**ip6)/IPv6ExtHdrDestOpt(nh=17, options=[PadN(optdata=b"\x00" * 28)])
                / UDP(sport=6000, dport=6009), 14 + 40 + 16),
          "32-byte DestOpt, frame ends 16 bytes into it: malformed",
          l3="ipv6", malformed=True)
    c.add(cut(E()/IPv6(**ip6)/IPv6ExtHdrHopByHop(nh=17)/UDP(sport=6000, dport=6009), 14 + 40),
          "next header HBH but the frame ends right after the IPv6 header: malformed",
          l3="ipv6", malformed=True)
    c.add(cut(E()/IPv6(**ip6)/IPv6ExtHdrHopByHop(nh=17)/UDP(sport=6000, dport=6009), 14 + 41),
          "only 1 byte of the HBH header: malformed",
          l3="ipv6", malformed=True)
    c.add(cut(E()/IPv6(**ip6)/AH(nh=17, **ah24)/UDP(sport=6000, dport=6009), 14 + 40 + 20),
          "AH of 24 bytes cut after 20: malformed",
          l3="ipv6", malformed=True)
    c.add(cut(E()/IPv6(**ip6)/IPv6ExtHdrHopByHop(nh=17)/UDP(sport=6000, dport=6009), 14 + 48),
          "HBH ends exactly at the frame end, next header UDP: udp, no port/flow",
          l3="ipv6", l4="udp", src=V6A)
    # upper layers that are not walked
    c.add(E()/IPv6(nh=59, **ip6),
          "next header 59 (No Next Header) directly: l4 other 59",
          l3="ipv6", l4="other", src=V6A, flow=(V6A, V6B, 0, 0, 59))
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrHopByHop(nh=59)/Raw(b"\x00" * 16),
          "HBH then No Next Header with trailing bytes: l4 other 59",
          l3="ipv6", l4="other", src=V6A, flow=(V6A, V6B, 0, 0, 59))
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrHopByHop(nh=50)/Raw(b"\x00\x00\x01\x00" + b"\x00" * 28),
          "HBH then ESP (50): l4 other 50 (ESP is not walked)",
          l3="ipv6", l4="other", src=V6A, flow=(V6A, V6B, 0, 0, 50))
    c.add(E()/IPv6(nh=135, **ip6)/Raw(b"\x3b\x00\x00\x00\x00\x00\x00\x00"),
          "Mobility header (135): l4 other 135 (not in the walked set)",
          l3="ipv6", l4="other", src=V6A, flow=(V6A, V6B, 0, 0, 135))
    c.add(E()/IPv6(**ip6)/IP(src=V4A, dst=V4B)/UDP(sport=6000, dport=6009),
          "IPv4 in IPv6 (next header 4): l4 other 4, inner not counted",
          l3="ipv6", l4="other", src=V6A, flow=(V6A, V6B, 0, 0, 4))



@fixture("fragments")
def build_fragments(c):
    """IPv4/IPv6 fragments: only first fragments give ports and flows; port 4444 never counts."""
    ip = dict(src=V4A, dst=V4B)
    ip6 = dict(src=V6A, dst=V6B)
    fake_udp = bytes(UDP(sport=FAKE_PORT, dport=FAKE_PORT, len=16, chksum=0)) + b"frag-dat"
    fake_tcp = bytes(TCP(sport=FAKE_PORT, dport=FAKE_PORT, chksum=0)) + b"frag-dat"
    # IPv4
    c.add(E()/IP(flags="MF", frag=0, id=100, **ip)/UDP(sport=7000, dport=7001)/Raw(b"a" * 64),
          "IPv4 UDP first fragment (MF, offset 0): port 7001 and flow",
          l3="ipv4", l4="udp", src=V4A, port=("udp", 7001), flow=(V4A, V4B, 7000, 7001, "udp"))
    c.add(E()/IP(flags="MF", frag=9, id=100, proto=17, **ip)/Raw(fake_udp + b"b" * 48),
          "IPv4 UDP middle fragment (MF, offset 72) whose data looks like UDP to 4444: no port",
          l3="ipv4", l4="udp", src=V4A)
    c.add(E()/IP(flags=0, frag=18, id=100, proto=17, **ip)/Raw(fake_udp),
          "IPv4 UDP last fragment (offset 144, MF clear) looking like UDP to 4444: no port",
          l3="ipv4", l4="udp", src=V4A)
    c.add(E()/IP(flags="MF", frag=1, id=101, proto=17, **ip)/Raw(fake_udp),
          "IPv4 UDP fragment at the smallest non-zero offset (8): no port",
          l3="ipv4", l4="udp", src=V4A)
    c.add(E()/IP(flags="MF", frag=0, id=102, **ip)/TCP(sport=7000, dport=7002)/Raw(b"a" * 64),
          "IPv4 TCP first fragment: port 7002 and flow",
          l3="ipv4", l4="tcp", src=V4A, port=("tcp", 7002), flow=(V4A, V4B, 7000, 7002, "tcp"))
    c.add(E()/IP(flags="MF", frag=11, id=102, proto=6, **ip)/Raw(fake_tcp + b"b" * 40),
          "IPv4 TCP non-first fragment looking like TCP to 4444: no port, no flow",
          l3="ipv4", l4="tcp", src=V4A)
    c.add(E()/IP(flags="MF", frag=0, id=103, **ip)/ICMP(type=8, id=9, seq=9)/Raw(b"p" * 64),
          "IPv4 ICMP first fragment: flow",
          l3="ipv4", l4="icmp", src=V4A, flow=(V4A, V4B, 0, 0, "icmp"))
    c.add(E()/IP(flags=0, frag=9, id=103, proto=1, **ip)/Raw(b"p" * 16),
          "IPv4 ICMP last fragment: icmp, no flow",
          l3="ipv4", l4="icmp", src=V4A)
    c.add(E()/IP(flags="MF", frag=20, id=104, proto=47, **ip)/Raw(b"g" * 32),
          "IPv4 GRE non-first fragment: other, no flow",
          l3="ipv4", l4="other", src=V4A)
    c.add(E()/IP(flags="DF", frag=0, **ip)/UDP(sport=7000, dport=7003),
          "IPv4 DF set, offset 0 (not a fragment): port 7003",
          l3="ipv4", l4="udp", src=V4A, port=("udp", 7003), flow=(V4A, V4B, 7000, 7003, "udp"))
    c.add(E()/IP(flags="evil", frag=0, **ip)/UDP(sport=7000, dport=7005),
          "IPv4 reserved flag bit set, offset 0: port 7005",
          l3="ipv4", l4="udp", src=V4A, port=("udp", 7005), flow=(V4A, V4B, 7000, 7005, "udp"))
    c.add(cut(E()/IP(flags="MF", frag=0, id=105, **ip)/UDP(sport=7000, dport=7006), 14 + 24),
          "IPv4 tiny first fragment with 4 bytes of UDP: udp, no port, no flow",
          l3="ipv4", l4="udp", src=V4A)
    c.add(E()/IP(flags="MF", frag=3, id=106, proto=17, src="192.0.2.77", dst=V4B)/Raw(fake_udp),
          "IPv4 non-first fragment from a source seen nowhere else: the source still counts",
          l3="ipv4", l4="udp", src="192.0.2.77")
    c.add(Ether(dst="00:00:5e:00:53:01", src=MAC_A)
          / IP(flags="MF", frag=9, id=107, proto=17, **ip)/Raw(fake_udp + b"b" * 48),
          "IPv4 UDP middle fragment to a MAC that starts with zero bytes (where the "
          "fragment offset is, 6 bytes on, a later fragment must still be seen): no port",
          l3="ipv4", l4="udp", src=V4A)
    # IPv6
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrFragment(nh=17, offset=0, m=1, id=200)
          / UDP(sport=7000, dport=7004)/Raw(b"a" * 64),
          "IPv6 UDP first fragment (offset 0, M=1): port 7004 and flow",
          l3="ipv6", l4="udp", src=V6A, port=("udp", 7004), flow=(V6A, V6B, 7000, 7004, "udp"))
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrFragment(nh=17, offset=9, m=1, id=200)/Raw(fake_udp),
          "IPv6 UDP middle fragment looking like UDP to 4444: no port",
          l3="ipv6", l4="udp", src=V6A)
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrFragment(nh=17, offset=18, m=0, id=200)/Raw(fake_udp),
          "IPv6 UDP last fragment (M=0): no port",
          l3="ipv6", l4="udp", src=V6A)
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrFragment(nh=6, offset=0, m=1, id=201)
          / TCP(sport=7000, dport=7007)/Raw(b"a" * 64),
          "IPv6 TCP first fragment: port 7007",
          l3="ipv6", l4="tcp", src=V6A, port=("tcp", 7007), flow=(V6A, V6B, 7000, 7007, "tcp"))
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrFragment(nh=6, offset=11, m=0, id=201)/Raw(fake_tcp),
          "IPv6 TCP last fragment looking like TCP to 4444: no port",
          l3="ipv6", l4="tcp", src=V6A)
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrFragment(nh=58, offset=5, m=0, id=202)/Raw(b"p" * 16),
          "IPv6 ICMPv6 non-first fragment: icmpv6, no flow",
          l3="ipv6", l4="icmpv6", src=V6A)
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrHopByHop(nh=44)/IPv6ExtHdrFragment(nh=17, offset=9, m=1, id=203)
          / Raw(fake_udp),
          "IPv6 HBH > Fragment (non-first) > UDP-looking data: no port",
          l3="ipv6", l4="udp", src=V6A)
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrFragment(nh=17, offset=0, m=0, id=204)
          / UDP(sport=7000, dport=7008),
          "IPv6 atomic fragment (offset 0, M=0): port 7008",
          l3="ipv6", l4="udp", src=V6A, port=("udp", 7008), flow=(V6A, V6B, 7000, 7008, "udp"))
    c.add(E()/IPv6(src="2001:db8::77", dst=V6B)/IPv6ExtHdrFragment(nh=17, offset=1, m=1, id=205)
          / Raw(fake_udp),
          "IPv6 non-first fragment from a source seen nowhere else: the source still counts",
          l3="ipv6", l4="udp", src="2001:db8::77")
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrFragment(nh=60, offset=0, m=1, id=206)
          / IPv6ExtHdrDestOpt(nh=17)/UDP(sport=7000, dport=7009)/Raw(b"a" * 32),
          "IPv6 first fragment > DestOpt > UDP 7009: the walk goes on after a first fragment",
          l3="ipv6", l4="udp", src=V6A, port=("udp", 7009), flow=(V6A, V6B, 7000, 7009, "udp"))
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrFragment(nh=0, offset=9, m=0, id=207)
          / Raw(b"\x11\x00" + b"\x00" * 14),
          "IPv6 non-first fragment whose next header is 0 (Hop-by-Hop): payload, l4 other 0",
          l3="ipv6", l4="other", src=V6A)


@fixture("vlan")
def build_vlan(c):
    """802.1Q / 802.1ad tags: one, two (any TPID order), three, and frames ending inside a tag."""
    ip = dict(src=V4A, dst=V4B)
    ip6 = dict(src=V6A, dst=V6B)
    c.add(E()/Dot1Q(vlan=10)/IP(**ip)/UDP(sport=8000, dport=8001),
          "0x8100 vlan 10 > IPv4 UDP 8001",
          l3="ipv4", l4="udp", vlan=True, src=V4A, port=("udp", 8001),
          flow=(V4A, V4B, 8000, 8001, "udp"))
    c.add(E()/Dot1Q(vlan=10)/IPv6(**ip6)/TCP(sport=8000, dport=8002, flags="S"),
          "0x8100 vlan 10 > IPv6 TCP 8002",
          l3="ipv6", l4="tcp", vlan=True, src=V6A, port=("tcp", 8002),
          flow=(V6A, V6B, 8000, 8002, "tcp"))
    c.add(Ether(dst=BCAST, src=MAC_A)/Dot1Q(vlan=10)/ARP(op=1, hwsrc=MAC_A, psrc=V4A,
                                                       hwdst="00:00:00:00:00:00", pdst=V4B),
          "0x8100 vlan 10 > ARP request",
          l3="arp", vlan=True)
    c.add(E()/Dot1Q(vlan=0, prio=5)/IP(**ip)/ICMP(type=8, id=1, seq=1),
          "priority tag (vlan 0) > IPv4 ICMP",
          l3="ipv4", l4="icmp", vlan=True, src=V4A, flow=(V4A, V4B, 0, 0, "icmp"))
    c.add(E()/Dot1AD(vlan=100)/Dot1Q(vlan=10)/IP(**ip)/UDP(sport=8000, dport=8003),
          "QinQ 0x88A8 vlan 100 > 0x8100 vlan 10 > IPv4 UDP 8003",
          l3="ipv4", l4="udp", vlan=True, src=V4A, port=("udp", 8003),
          flow=(V4A, V4B, 8000, 8003, "udp"))
    c.add(E()/Dot1AD(vlan=100)/Dot1Q(vlan=10)/IPv6(**ip6)/UDP(sport=8000, dport=8004),
          "QinQ 0x88A8 > 0x8100 > IPv6 UDP 8004",
          l3="ipv6", l4="udp", vlan=True, src=V6A, port=("udp", 8004),
          flow=(V6A, V6B, 8000, 8004, "udp"))
    c.add(E()/Dot1Q(vlan=20, type=0x8100)/Dot1Q(vlan=30)/IP(**ip)/TCP(sport=8000, dport=8005),
          "0x8100 > 0x8100 > IPv4 TCP 8005",
          l3="ipv4", l4="tcp", vlan=True, src=V4A, port=("tcp", 8005),
          flow=(V4A, V4B, 8000, 8005, "tcp"))
    c.add(E()/Dot1AD(vlan=100)/IP(**ip)/UDP(sport=8000, dport=8006),
          "single 0x88A8 tag > IPv4 UDP 8006",
          l3="ipv4", l4="udp", vlan=True, src=V4A, port=("udp", 8006),
          flow=(V4A, V4B, 8000, 8006, "udp"))
    c.add(E()/Dot1AD(vlan=100, type=0x88A8)/Dot1AD(vlan=200, type=0x86DD)/IPv6(**ip6)
          / ICMPv6EchoRequest(id=1, seq=1),
          "0x88A8 > 0x88A8 > IPv6 ICMPv6",
          l3="ipv6", l4="icmpv6", vlan=True, src=V6A, flow=(V6A, V6B, 0, 0, "icmpv6"))
    c.add(E()/Dot1Q(vlan=10, type=0x88A8)/Dot1AD(vlan=100, type=0x0800)/IP(**ip)
          / UDP(sport=8000, dport=8007),
          "0x8100 outer > 0x88A8 inner (unusual order, still two tags) > IPv4 UDP 8007",
          l3="ipv4", l4="udp", vlan=True, src=V4A, port=("udp", 8007),
          flow=(V4A, V4B, 8000, 8007, "udp"))
    c.add(E()/Dot1Q(vlan=10)/IPv6(**ip6)/IPv6ExtHdrHopByHop(nh=17)/UDP(sport=8000, dport=8008),
          "0x8100 > IPv6 HBH > UDP 8008",
          l3="ipv6", l4="udp", vlan=True, src=V6A, port=("udp", 8008),
          flow=(V6A, V6B, 8000, 8008, "udp"))
    c.add(E()/Dot1Q(vlan=10)/IP(flags="MF", frag=5, proto=17, **ip)/Raw(b"\x11\x5c\x11\x5c" * 4),
          "0x8100 > IPv4 UDP non-first fragment: udp, no port, no flow",
          l3="ipv4", l4="udp", vlan=True, src=V4A)
    c.add(E()/Dot1Q(vlan=10)/IP(ihl=4, **ip)/UDP(sport=8000, dport=8009)/Raw(b"x" * 20),
          "0x8100 > IPv4 with IHL 4: malformed ipv4, vlan",
          l3="ipv4", malformed=True, vlan=True)
    c.add(E()/Dot1Q(vlan=10, type=0x0026)/LLC(dsap=0x42, ssap=0x42, ctrl=3)/Raw(b"\x00" * 35),
          "0x8100 > 802.3 length + LLC: other, vlan",
          l3="other", vlan=True)
    c.add(E()/Dot1Q(vlan=10, type=0x88B5)/Raw(b"local experimental ethertype"),
          "0x8100 > unknown EtherType 0x88B5: other, vlan",
          l3="other", vlan=True)
    c.add(E()/Dot1Q(vlan=10, type=0x8035)/ARP(op=3, hwsrc=MAC_A, psrc="0.0.0.0",
                                             hwdst=MAC_A, pdst="0.0.0.0"),
          "0x8100 > RARP: other, vlan",
          l3="other", vlan=True)
    # three tags: after two tags the EtherType is still a TPID
    c.add(E()/Dot1AD(vlan=100)/Dot1Q(vlan=10, type=0x8100)/Dot1Q(vlan=20)/IP(**ip)
          / UDP(sport=8000, dport=8010),
          "three tags 0x88A8 > 0x8100 > 0x8100 > IPv4 UDP: other, vlan (no port)",
          l3="other", vlan=True)
    c.add(E()/Dot1Q(vlan=1, type=0x8100)/Dot1Q(vlan=2, type=0x8100)/Dot1Q(vlan=3)/IPv6(**ip6)
          / UDP(sport=8000, dport=8010),
          "three 0x8100 tags > IPv6: other, vlan",
          l3="other", vlan=True)
    # frames ending in or right after a tag
    c.add(E(type=0x8100),
          "14 bytes, TPID 0x8100 and no tag: other, vlan",
          l3="other", vlan=True)
    c.add(cut(E()/Dot1Q(vlan=10)/IP(**ip)/UDP(sport=8000, dport=8010), 16),
          "16 bytes: ends inside the first tag: other, vlan",
          l3="other", vlan=True)
    c.add(cut(E()/Dot1Q(vlan=10)/IP(**ip)/UDP(sport=8000, dport=8010), 17),
          "17 bytes: ends one byte before the end of the first tag: other, vlan",
          l3="other", vlan=True)
    c.add(cut(E()/Dot1Q(vlan=10)/IP(**ip)/UDP(sport=8000, dport=8010), 18),
          "18 bytes: complete tag naming IPv4, no IPv4 header: malformed ipv4, vlan",
          l3="ipv4", malformed=True, vlan=True)
    c.add(cut(E()/Dot1AD(vlan=100)/Dot1Q(vlan=10)/IP(**ip)/UDP(sport=8000, dport=8010), 20),
          "20 bytes: QinQ ending inside the second tag: other, vlan",
          l3="other", vlan=True)
    c.add(cut(E()/Dot1AD(vlan=100)/Dot1Q(vlan=10)/IPv6(**ip6)/UDP(sport=8000, dport=8010), 22),
          "22 bytes: two complete tags naming IPv6, no IPv6 header: malformed ipv6, vlan",
          l3="ipv6", malformed=True, vlan=True)
    c.add(E()/Dot1AD(vlan=100)/Dot1Q(vlan=10, type=0x8100),
          "22 bytes: two complete tags naming a third TPID, nothing after: other, vlan",
          l3="other", vlan=True)
    # TPIDs that are not skipped
    c.add(E(type=0x9100)/Dot1Q(vlan=10)/IP(**ip)/UDP(sport=8000, dport=8010),
          "old QinQ TPID 0x9100 (not recognised): other, not vlan",
          l3="other")
    c.add(E()/IP(**ip)/UDP(sport=8000, dport=8011),
          "untagged IPv4 UDP 8011 for comparison: not vlan",
          l3="ipv4", l4="udp", src=V4A, port=("udp", 8011), flow=(V4A, V4B, 8000, 8011, "udp"))


SIZES = (42, 60, 64, 65, 127, 128, 255, 256, 511, 512, 1023, 1024, 1518, 1519, 4000, 9000)


@fixture("sizes")
def build_sizes(c):
    """IPv4 UDP frames of exactly 42, 60 (padded), 64, 65, 127, 128 ... 1518, 1519, 4000, 9000 B."""
    for i, n in enumerate(SIZES):
        sport = 10000 + i
        if n == 60:
            pkt = E()/IP(src=V4A, dst=V4B)/UDP(sport=sport, dport=9)/Padding(b"\x00" * 18)
            desc = "60 bytes: empty UDP plus 18 bytes of Ethernet padding (IP length 28)"
        else:
            pkt = E()/IP(src=V4A, dst=V4B)/UDP(sport=sport, dport=9)/Raw(b"\xa5" * (n - 42))
            desc = "%d bytes: IPv4 UDP with %d bytes of payload" % (n, n - 42)
        assert len(bytes(pkt)) == n, (n, len(bytes(pkt)))
        c.add(pkt, desc,
              l3="ipv4", l4="udp", src=V4A, port=("udp", 9), flow=(V4A, V4B, sport, 9, "udp"))


@fixture("short_frames")
def build_short_frames(c):
    """Frames of 1, 8 and 13 bytes (skipped: never run) between normal frames."""
    full = bytes(E()/IP(src=V4A, dst=V4B)/UDP(sport=9000, dport=9001))
    c.add(E()/IP(src=V4A, dst=V4B)/UDP(sport=9000, dport=9001)/Raw(b"x" * 18),
          "normal IPv4 UDP 9001",
          l3="ipv4", l4="udp", src=V4A, port=("udp", 9001), flow=(V4A, V4B, 9000, 9001, "udp"))
    c.add(full[:1], "1 byte: skipped", skipped=True)
    c.add(full[:8], "8 bytes: skipped", skipped=True)
    c.add(Ether(dst=BCAST, src=MAC_A)/ARP(op=1, hwsrc=MAC_A, psrc=V4A,
                                         hwdst="00:00:00:00:00:00", pdst=V4B),
          "normal ARP request",
          l3="arp")
    c.add(full[:13], "13 bytes (one short of an Ethernet header): skipped", skipped=True)
    c.add(E(type=0x88B5),
          "14 bytes, unknown EtherType: the shortest frame that is run: other",
          l3="other")
    c.add(E()/IPv6(src=V6A, dst=V6B)/UDP(sport=9000, dport=9001),
          "normal IPv6 UDP 9001",
          l3="ipv6", l4="udp", src=V6A, port=("udp", 9001), flow=(V6A, V6B, 9000, 9001, "udp"))


@fixture("snaplen")
def build_snaplen(c):
    """Records cut by a 96-byte snap length: wire bytes (orig_len) count, headers as captured."""
    ip = dict(src=V4A, dst=V4B)
    ip6 = dict(src=V6A, dst=V6B)
    c.add(E()/IP(**ip)/TCP(sport=9100, dport=9101)/Raw(b"x" * 946), snap=96,
          description="1000-byte IPv4 TCP captured at 96: tcp port 9101, 1000 bytes",
          l3="ipv4", l4="tcp", src=V4A, port=("tcp", 9101), flow=(V4A, V4B, 9100, 9101, "tcp"))
    c.add(E()/IP(**ip)/UDP(sport=9100, dport=9102)/Raw(b"x" * 1472), snap=42,
          description="1514-byte IPv4 UDP captured at 42 (exactly through UDP): port 9102",
          l3="ipv4", l4="udp", src=V4A, port=("udp", 9102), flow=(V4A, V4B, 9100, 9102, "udp"))
    c.add(E()/IP(**ip)/UDP(sport=9100, dport=9103)/Raw(b"x" * 200), snap=38,
          description="IPv4 UDP captured at 38 (4 bytes of UDP): udp, no port, no flow",
          l3="ipv4", l4="udp", src=V4A)
    c.add(E()/IPv6(**ip6)/TCP(sport=9100, dport=9104)/Raw(b"x" * 1426), snap=74,
          description="1500-byte IPv6 TCP captured at 74 (exactly through TCP): port 9104",
          l3="ipv6", l4="tcp", src=V6A, port=("tcp", 9104), flow=(V6A, V6B, 9100, 9104, "tcp"))
    c.add(E()/IP(options=[IPOption_NOP()] * 40, **ip)/UDP(sport=9100, dport=9105)
          / Raw(b"x" * 100), snap=40,
          description="IHL 15 IPv4 captured at 40 (header past the captured end): malformed",
          l3="ipv4", malformed=True)
    c.add(E()/IPv6(**ip6)/IPv6ExtHdrDestOpt(nh=17, options=[PadN(optdata=b"\x00" * 60)])
          / UDP(sport=9100, dport=9106)/Raw(b"x" * 400), snap=96,
          description="IPv6 with a 64-byte DestOpt captured at 96 (chain past the end): malformed",
          l3="ipv6", malformed=True)
    c.add(E()/IP(**ip)/UDP(sport=9100, dport=9107)/Raw(b"x" * 20),
          description="short IPv4 UDP not cut by the snap length: port 9107",
          l3="ipv4", l4="udp", src=V4A, port=("udp", 9107), flow=(V4A, V4B, 9100, 9107, "udp"))
    c.add(E()/IP(**ip)/TCP(sport=9100, dport=9108)/Raw(b"x" * 8946), snap=96,
          description="9000-byte IPv4 TCP jumbo frame captured at 96: 9000 bytes, > 1518",
          l3="ipv4", l4="tcp", src=V4A, port=("tcp", 9108), flow=(V4A, V4B, 9100, 9108, "tcp"))
    c.add(big_frame(100000, "udp", 9109), snap=96,
          description="100000-byte GRO IPv4 UDP super-frame captured at 96: 100000 bytes",
          l3="ipv4", l4="udp", src=V4A, port=("udp", 9109), flow=(V4A, V4B, 9100, 9109, "udp"))


def big_frame(n, proto, dport):
    """An n-byte frame from V4A (IPv4 UDP or TCP) or V6A (IPv6 TCP jumbogram) to dport.
    Above 65535 bytes IPv4's length fields cannot hold the size: they say 0, as in
    GRO and BIG TCP captures.  The IPv6 one carries a hop-by-hop jumbo payload option."""
    if proto == "tcp6":
        hdr = (E()/IPv6(src=V6A, dst=V6B, plen=0)
               / IPv6ExtHdrHopByHop(options=[Jumbo(jumboplen=n - 14 - 40)])
               / TCP(sport=9100, dport=dport, flags="A", chksum=0))
    elif proto == "tcp":
        hdr = E()/IP(src=V4A, dst=V4B, len=0, chksum=0)/TCP(sport=9100, dport=dport, flags="A",
                                                               chksum=0)
    else:
        hdr = E()/IP(src=V4A, dst=V4B, len=0, chksum=0)/UDP(sport=9100, dport=dport, len=0,
                                                               chksum=0)
    pkt = hdr/Raw(b"\xb1" * (n - len(hdr)))
    assert len(bytes(pkt)) == n, (n, len(bytes(pkt)))
    return pkt


@fixture("big_frames")
def build_big_frames(c):
    """Frames of 65537, 70000, 73728, 100000 and 262144 bytes between 60-byte ones."""
    c.add(E()/IP(src=V4A, dst=V4B)/UDP(sport=9100, dport=9200)/Padding(b"\x00" * 18),
          "60-byte IPv4 UDP before the big ones",
          l3="ipv4", l4="udp", src=V4A, port=("udp", 9200), flow=(V4A, V4B, 9100, 9200, "udp"))
    for n, proto, dport in ((65537, "udp", 9201), (70000, "udp", 9202), (73728, "tcp", 9203),
                            (100000, "tcp6", 9204), (262144, "tcp", 9205)):
        src, l3, l4 = (V6A, "ipv6", "tcp") if proto == "tcp6" else (V4A, "ipv4", proto)
        dst = V6B if l3 == "ipv6" else V4B
        c.add(big_frame(n, proto, dport),
              "%d-byte %s %s to port %d" % (n, l3, "jumbogram TCP" if proto == "tcp6"
                                            else l4.upper(), dport),
              l3=l3, l4=l4, src=src, port=(l4, dport), flow=(src, dst, 9100, dport, l4))
    c.add(E()/IP(src=V4A, dst=V4B)/UDP(sport=9100, dport=9200)/Padding(b"\x00" * 18),
          "60-byte IPv4 UDP after them",
          l3="ipv4", l4="udp", src=V4A, port=("udp", 9200), flow=(V4A, V4B, 9100, 9200, "udp"))


@fixture("bad_lengths")
def build_bad_lengths(c):
    """Records whose wire length cannot be true count their captured length (bad_length)."""
    def udp(dport, payload):
        return E()/IP(src=V4A, dst=V4B)/UDP(sport=9100, dport=dport)/Raw(b"x" * payload)

    def meaning(dport):
        return dict(l3="ipv4", l4="udp", src=V4A, port=("udp", dport),
                    flow=(V4A, V4B, 9100, dport, "udp"))

    c.add(udp(9300, 18), "60-byte IPv4 UDP, wire length 60", **meaning(9300))
    c.add(udp(9301, 58), "100 bytes captured, wire length 60 (below): bad, counts 100",
          wirelen=60, **meaning(9301))
    c.add(udp(9302, 6), "48 bytes captured claiming 4 GB on the wire: bad, counts 48",
          wirelen=4000000000, **meaning(9302))
    c.add(udp(9303, 54), "96 bytes captured claiming 262145 (above libpcap's maximum): bad",
          wirelen=WIRE_MAX + 1, **meaning(9303))
    c.add(udp(9304, 54), "96 bytes captured of 262144 on the wire: true, snapped",
          wirelen=WIRE_MAX, **meaning(9304))
    c.add(udp(9305, 18), "60-byte IPv4 UDP after them", **meaning(9305))


# --------------------------------------------------------------------------------------
# Traffic mixes
# --------------------------------------------------------------------------------------

def mac_of(addr):
    """A fixed locally administered MAC per host: 02:00 + the address's last 4 bytes."""
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    return "02:00:" + ":".join("%02x" % b for b in socket.inet_pton(fam, addr)[-4:])


def l2(src, dst, vlan):
    eth = Ether(src=mac_of(src), dst=mac_of(dst))
    return eth/Dot1Q(vlan=vlan) if vlan else eth


def ipx(src, dst):
    return IPv6(src=src, dst=dst) if ":" in src else IP(src=src, dst=dst)


def tcp_frame(src, dst, sport, dport, flags, payload=b"", vlan=0, seq=0, ack=0):
    pkt = l2(src, dst, vlan)/ipx(src, dst)/TCP(sport=sport, dport=dport, flags=flags,
                                               seq=seq, ack=ack, window=64240)/Raw(payload)
    return pkt, dict(l3=family(src), l4="tcp", vlan=bool(vlan), src=src,
                     port=("tcp", dport), flow=(src, dst, sport, dport, "tcp"))


def udp_frame(src, dst, sport, dport, payload, vlan=0):
    pkt = l2(src, dst, vlan)/ipx(src, dst)/UDP(sport=sport, dport=dport)/payload
    return pkt, dict(l3=family(src), l4="udp", vlan=bool(vlan), src=src,
                     port=("udp", dport), flow=(src, dst, sport, dport, "udp"))


def echo_frame(src, dst, reply, ident, seq, payload, vlan=0):
    if ":" in src:
        echo = (ICMPv6EchoReply if reply else ICMPv6EchoRequest)(id=ident, seq=seq, data=payload)
        pkt, l4 = l2(src, dst, vlan)/IPv6(src=src, dst=dst)/echo, "icmpv6"
    else:
        pkt = l2(src, dst, vlan)/IP(src=src, dst=dst)/ICMP(type=0 if reply else 8, id=ident,
                                                            seq=seq)/Raw(payload)
        l4 = "icmp"
    return pkt, dict(l3=family(src), l4=l4, vlan=bool(vlan), src=src,
                     flow=(src, dst, 0, 0, l4))


def arp_frame(op, src, dst, vlan=0):
    """ARP who-has (op 1, broadcast) or is-at (op 2), padded to 60 bytes."""
    eth_dst = BCAST if op == 1 else mac_of(dst)
    hwdst = "00:00:00:00:00:00" if op == 1 else mac_of(dst)
    eth = Ether(src=mac_of(src), dst=eth_dst)
    if vlan:
        eth = eth/Dot1Q(vlan=vlan)
    pkt = eth/ARP(op=op, hwsrc=mac_of(src), psrc=src, hwdst=hwdst, pdst=dst)
    pkt = pkt/Padding(b"\x00" * (60 - len(bytes(pkt)))) if len(bytes(pkt)) < 60 else pkt
    return pkt, dict(l3="arp", vlan=bool(vlan))


MIX_CLIENTS = ["10.1.0.%d" % i for i in range(1, 13)] + \
              ["2001:db8:1::%x" % i for i in range(1, 7)]
MIX_SERVERS = {
    "ipv4": {80: "192.0.2.80", 443: "192.0.2.43", 22: "192.0.2.22", 53: "192.0.2.53",
             123: "192.0.2.123"},
    "ipv6": {80: "2001:db8:2::80", 443: "2001:db8:2::443", 22: "2001:db8:2::22",
             53: "2001:db8:2::53", 123: "2001:db8:2::123"},
}


def mix_events(rng):
    """Yield (pkt, description, meaning) forever: TCP sessions, DNS, NTP, pings, ARP."""
    kinds = ["tcp"] * 45 + ["dns"] * 20 + ["ntp"] * 8 + ["ping"] * 15 + ["arp"] * 12
    while True:
        kind = rng.choice(kinds)
        vlan = rng.choice([10, 20]) if rng.random() < 0.15 else 0
        tag = " vlan %d" % vlan if vlan else ""
        if kind == "arp":
            client = rng.choice(MIX_CLIENTS[:12])
            server = rng.choice(sorted(MIX_SERVERS["ipv4"].values()))
            yield arp_frame(1, client, server, vlan) + ("arp who-has %s tell %s%s"
                                                       % (server, client, tag),)
            yield arp_frame(2, server, client, vlan) + ("arp %s is-at%s" % (server, tag),)
            continue
        client = rng.choice(MIX_CLIENTS)
        servers = MIX_SERVERS[family(client)]
        eph = rng.randrange(32768, 61000)
        if kind == "tcp":
            port = rng.choice([80, 80, 443, 443, 443, 22])
            srv = servers[port]
            mss = 1460 if family(client) == "ipv4" else 1440
            name = "tcp %s:%d > %s:%d" % (client, eph, srv, port)
            rname = "tcp %s:%d > %s:%d" % (srv, port, client, eph)
            cseq, sseq = rng.randrange(1 << 32), rng.randrange(1 << 32)
            yield tcp_frame(client, srv, eph, port, "S", b"", vlan, cseq) + (name + " SYN" + tag,)
            yield tcp_frame(srv, client, port, eph, "SA", b"", vlan, sseq, cseq + 1) + \
                (rname + " SYN-ACK" + tag,)
            cseq, sseq = cseq + 1, sseq + 1
            yield tcp_frame(client, srv, eph, port, "A", b"", vlan, cseq, sseq) + \
                (name + " ACK" + tag,)
            for _ in range(rng.randint(1, 4)):
                req = rng.randbytes(rng.randint(20, 400))
                yield tcp_frame(client, srv, eph, port, "PA", req, vlan, cseq, sseq) + \
                    (name + " request %d bytes" % len(req) + tag,)
                cseq = (cseq + len(req)) & 0xffffffff
                left = rng.choice([0, rng.randint(1, mss), rng.randint(mss, 4 * mss)])
                while left > 0:
                    seg = rng.randbytes(min(left, mss))
                    left -= len(seg)
                    yield tcp_frame(srv, client, port, eph, "PA" if left == 0 else "A", seg,
                                    vlan, sseq, cseq) + \
                        (rname + " data %d bytes" % len(seg) + tag,)
                    sseq = (sseq + len(seg)) & 0xffffffff
                yield tcp_frame(client, srv, eph, port, "A", b"", vlan, cseq, sseq) + \
                    (name + " ACK" + tag,)
            yield tcp_frame(client, srv, eph, port, "FA", b"", vlan, cseq, sseq) + \
                (name + " FIN" + tag,)
            yield tcp_frame(srv, client, port, eph, "FA", b"", vlan, sseq, cseq + 1) + \
                (rname + " FIN" + tag,)
            yield tcp_frame(client, srv, eph, port, "A", b"", vlan, cseq + 1, sseq + 1) + \
                (name + " ACK" + tag,)
        elif kind == "dns":
            srv = servers[53]
            qname = "host%d.example." % rng.randrange(100)
            qtype = "A" if family(client) == "ipv4" else "AAAA"
            answer = "192.0.2.%d" % rng.randrange(1, 255) if qtype == "A" else \
                "2001:db8:3::%x" % rng.randrange(1, 255)
            ident = rng.randrange(1 << 16)
            q = DNS(id=ident, rd=1, qd=DNSQR(qname=qname, qtype=qtype))
            r = DNS(id=ident, qr=1, rd=1, ra=1, qd=DNSQR(qname=qname, qtype=qtype),
                    an=DNSRR(rrname=qname, type=qtype, ttl=300, rdata=answer))
            yield udp_frame(client, srv, eph, 53, q, vlan) + \
                ("udp %s:%d > %s:53 dns query %s%s" % (client, eph, srv, qname, tag),)
            yield udp_frame(srv, client, 53, eph, r, vlan) + \
                ("udp %s:53 > %s:%d dns answer%s" % (srv, client, eph, tag),)
        elif kind == "ntp":
            srv = servers[123]
            yield udp_frame(client, srv, 123, 123, Raw(b"\x23" + rng.randbytes(47)), vlan) + \
                ("udp %s:123 > %s:123 ntp request%s" % (client, srv, tag),)
            yield udp_frame(srv, client, 123, 123, Raw(b"\x24" + rng.randbytes(47)), vlan) + \
                ("udp %s:123 > %s:123 ntp reply%s" % (srv, client, tag),)
        else:
            srv = servers[rng.choice([80, 53])]
            ident, data = rng.randrange(1 << 16), rng.randbytes(rng.choice([32, 56, 56, 1000]))
            for seq in range(1, rng.randint(1, 3) + 1):
                yield echo_frame(client, srv, False, ident, seq, data, vlan) + \
                    ("echo request %s > %s seq %d%s" % (client, srv, seq, tag),)
                yield echo_frame(srv, client, True, ident, seq, data, vlan) + \
                    ("echo reply %s > %s seq %d%s" % (srv, client, seq, tag),)


MIX_FRAMES = 2000


@fixture("mix")
def build_mix(c):
    """A realistic mix of 2000 frames: v4/v6 hosts, TCP 80/443/22, DNS, NTP, ping, ARP, VLAN."""
    events = mix_events(random.Random(20231114))
    for _ in range(MIX_FRAMES):
        (pkt, meaning, desc) = next(events)
        c.add(pkt, desc, **meaning)


@fixture("many_sources")
def build_many_sources(c):
    """3000 IPv4 + 200 IPv6 distinct sources, one UDP frame each to port 9: fills small tables."""
    dst4, dst6 = "192.0.2.9", "2001:db8:9::9"
    for i in range(3000):
        src = "10.200.%d.%d" % (i // 250, i % 250 + 1)
        c.add(Ether(src=mac_of(src), dst=mac_of(dst4))/IP(src=src, dst=dst4)
              / UDP(sport=20000 + i % 1000, dport=9)/Padding(b"\x00" * 18),
              "udp %s > %s:9" % (src, dst4),
              l3="ipv4", l4="udp", src=src, port=("udp", 9),
              flow=(src, dst4, 20000 + i % 1000, 9, "udp"))
    for i in range(200):
        src = "2001:db8:ff::%x" % (i + 1)
        c.add(Ether(src=mac_of(src), dst=mac_of(dst6))/IPv6(src=src, dst=dst6)
              / UDP(sport=20000 + i, dport=9),
              "udp %s > %s:9" % (src, dst6),
              l3="ipv6", l4="udp", src=src, port=("udp", 9),
              flow=(src, dst6, 20000 + i, 9, "udp"))


# --------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------

def stamp(i):
    """(seconds, microseconds) of record i: T0 + i ms."""
    return T0 + i // 1000, (i % 1000) * 1000


def stamp_ns(i):
    sec, usec = stamp(i)
    return sec * 1000000000 + usec * 1000


def pcap_bytes(frames, linktype=LINKTYPE_ETHERNET, nsec=False, endian="<", snaplen=262144):
    """A classic pcap file: (frames: [(data, wirelen)])."""
    magic = 0xa1b23c4d if nsec else 0xa1b2c3d4
    out = [struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)]
    for i, (data, wirelen) in enumerate(frames):
        sec, usec = stamp(i)
        frac = usec * 1000 if nsec else usec
        out.append(struct.pack(endian + "IIII", sec, frac, len(data), wirelen))
        out.append(data)
    return b"".join(out)


class DeterministicPcapNgWriter(PcapNgWriter):
    """scapy's writer with the SHB section length written as -1 ("not specified")
    instead of 0, which would claim an empty section."""

    def _write_block_shb(self):
        body = self.endian_magic + struct.pack(self.endian + "HHq", 1, 0, -1)
        self.f.write(self.build_block(b"\x0A\x0D\x0D\x0A", body))


def write_pcapng(path, frames):
    w = DeterministicPcapNgWriter(path)
    w.write_header(None)
    for i, (data, wirelen) in enumerate(frames):
        sec, usec = stamp(i)
        # Decimal: int(ts * 10**6) must not go through a float
        w.write_packet(data, sec=Decimal(sec) + Decimal(usec) / 1000000, wirelen=wirelen)
    w.close()


def ng_block(btype, body):
    """One pcapng block (little-endian): type, total length, body, total length."""
    return struct.pack("<II", btype, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))


def ng_shb():
    return ng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def ng_idb(linktype, name):
    """An interface description block with if_name (option 2); if_tsresol is the default, us."""
    name = name.encode()
    opts = struct.pack("<HH", 2, len(name)) + name + b"\0" * (-len(name) % 4) + b"\0" * 4
    return ng_block(1, struct.pack("<HHI", linktype, 0, 0) + opts)


def ng_epb(iface, i, data, wirelen):
    """An enhanced packet block on interface `iface`, stamped like record i."""
    sec, usec = stamp(i)
    ts = sec * 1000000 + usec
    body = struct.pack("<IIIII", iface, ts >> 32, ts & 0xffffffff, len(data), wirelen)
    return ng_block(6, body + data + b"\0" * (-len(data) % 4))


def write_file(path, data):
    with open(path, "wb") as f:
        f.write(data)


def write_json(path, obj):
    with open(path, "w") as f:
        f.write(json.dumps(obj, sort_keys=True, indent=1) + "\n")


def records(frames):
    return [(f.data, f.wirelen) for f in frames]


def write_case(outdir, case, name=None, frames=None, snaplen=262144, **extra):
    """NAME.pcap + NAME.expect.json for (a prefix of) a case."""
    name = name or case.name
    frames = case.frames if frames is None else frames
    write_file(os.path.join(outdir, name + ".pcap"), pcap_bytes(records(frames), snaplen=snaplen))
    write_json(os.path.join(outdir, name + ".expect.json"), case.expect(frames, **extra))
    return [name + ".pcap", name + ".expect.json"]


DAMAGED_AT = 20


def build_two_ifaces(c):
    """Frames of a few hosts, written alternately on interfaces eth0 and wlan0."""
    for i in range(12):
        sport = 9400 + i
        if i % 3 == 2:
            c.add(E()/IPv6(src=V6A, dst=V6B)/UDP(sport=sport, dport=53)/Raw(b"q" * 20),
                  "IPv6 UDP to 53 on %s" % ("eth0", "wlan0")[i % 2],
                  l3="ipv6", l4="udp", src=V6A, port=("udp", 53),
                  flow=(V6A, V6B, sport, 53, "udp"))
        else:
            c.add(E()/IP(src=V4A, dst=V4B)/TCP(sport=sport, dport=443, flags="S"),
                  "IPv4 TCP SYN to 443 on %s" % ("eth0", "wlan0")[i % 2],
                  l3="ipv4", l4="tcp", src=V4A, port=("tcp", 443),
                  flow=(V4A, V4B, sport, 443, "tcp"))


def write_all(outdir):
    cases = {}
    written = []
    for name, build in FIXTURES:
        case = Case(name, build.__doc__.strip().splitlines()[0])
        build(case)
        cases[name] = case
        written += write_case(outdir, case, snaplen=96 if name == "snaplen" else 262144)

    mix = cases["mix"]
    # truncated.pcap: mix cut in the middle of record TRUNC_AT's data
    trunc_at = 1000
    whole = pcap_bytes(records(mix.frames[:trunc_at + 1]))
    cut_record = mix.frames[trunc_at].data
    assert len(cut_record) > 2
    write_file(os.path.join(outdir, "truncated.pcap"), whole[:len(whole) - len(cut_record) // 2])
    trunc = Case("truncated", "mix.pcap cut in the middle of record %d's data (%d of %d bytes "
                 "present); counts are those of the %d complete records"
                 % (trunc_at, len(cut_record) - len(cut_record) // 2, len(cut_record), trunc_at))
    write_json(os.path.join(outdir, "truncated.expect.json"),
               trunc.expect(mix.frames[:trunc_at], truncated=True))
    written += ["truncated.pcap", "truncated.expect.json"]

    # the first 100 frames of mix in other capture formats
    head = mix.frames[:100]
    write_pcapng(os.path.join(outdir, "mix.pcapng"), records(head))
    write_json(os.path.join(outdir, "mix_pcapng.expect.json"),
               Case("", "first 100 frames of mix as pcapng (SHB, IDB, EPBs)").expect(head))
    write_file(os.path.join(outdir, "mix_nsec.pcap"), pcap_bytes(records(head), nsec=True))
    write_json(os.path.join(outdir, "mix_nsec.expect.json"),
               Case("", "first 100 frames of mix, nanosecond pcap (magic a1b23c4d)").expect(head))
    write_file(os.path.join(outdir, "mix_be.pcap"), pcap_bytes(records(head), endian=">"))
    write_json(os.path.join(outdir, "mix_be.expect.json"),
               Case("", "first 100 frames of mix, big-endian pcap header").expect(head))
    written += ["mix.pcapng", "mix_pcapng.expect.json", "mix_nsec.pcap", "mix_nsec.expect.json",
                "mix_be.pcap", "mix_be.expect.json"]

    # two_ifaces.pcapng: two named Ethernet interfaces, frames on both
    two = Case("two_ifaces", "pcapng with two named Ethernet interfaces (eth0, wlan0), frames "
               "alternating between them; libpcap does not say which one a frame came from")
    build_two_ifaces(two)
    blocks = [ng_shb(), ng_idb(LINKTYPE_ETHERNET, "eth0"), ng_idb(LINKTYPE_ETHERNET, "wlan0")]
    blocks += [ng_epb(i % 2, i, f.data, f.wirelen) for i, f in enumerate(two.frames)]
    write_file(os.path.join(outdir, "two_ifaces.pcapng"), b"".join(blocks))
    write_json(os.path.join(outdir, "two_ifaces.expect.json"), two.expect())
    written += ["two_ifaces.pcapng", "two_ifaces.expect.json"]

    # damaged captures: DAMAGED_AT good records of mix, then one libpcap cannot read
    good = mix.frames[:DAMAGED_AT]
    after = records(mix.frames[DAMAGED_AT:DAMAGED_AT + 1])
    sec, usec = stamp(DAMAGED_AT)
    write_file(os.path.join(outdir, "damaged.pcap"), pcap_bytes(records(good)) + struct.pack(
        "<IIII", sec, usec, WIRE_MAX + 1, WIRE_MAX + 1) + b"\xdd" * 64 + pcap_bytes(after)[24:])
    write_json(os.path.join(outdir, "damaged.expect.json"), Case("", (
        "%d records of mix, then a record claiming %d captured bytes (more than libpcap "
        "reads): the counts are those of the %d" % (DAMAGED_AT, WIRE_MAX + 1, DAMAGED_AT))
    ).expect(good, truncated=True, damaged=True))
    blocks = [ng_shb(), ng_idb(LINKTYPE_ETHERNET, "eth0")]
    blocks += [ng_epb(0, i, f.data, f.wirelen) for i, f in enumerate(good)]
    blocks += [ng_idb(LINKTYPE_RAW, "tun0"), ng_epb(1, DAMAGED_AT, *after[0])]
    write_file(os.path.join(outdir, "damaged.pcapng"), b"".join(blocks))
    write_json(os.path.join(outdir, "damaged_pcapng.expect.json"), Case("", (
        "%d records of mix as pcapng, then a second interface of link type RAW: "
        "the counts are those of the %d" % (DAMAGED_AT, DAMAGED_AT))
    ).expect(good, truncated=True, damaged=True))
    written += ["damaged.pcap", "damaged.expect.json", "damaged.pcapng",
                "damaged_pcapng.expect.json"]

    # empty.pcap: a valid header, no records
    write_file(os.path.join(outdir, "empty.pcap"), pcap_bytes([]))
    write_json(os.path.join(outdir, "empty.expect.json"),
               Case("", "a valid pcap header and no records").expect([]))
    written += ["empty.pcap", "empty.expect.json"]

    # error fixtures: no expected counts, the reader must refuse them
    raw_ip = [bytes(IP(src=V4A, dst=V4B)/UDP(sport=1, dport=2)/Raw(b"raw")),
              bytes(IPv6(src=V6A, dst=V6B)/UDP(sport=1, dport=2)/Raw(b"raw")),
              bytes(IP(src=V4A, dst=V4B)/ICMP())]
    write_file(os.path.join(outdir, "not_ethernet.pcap"),
               pcap_bytes([(d, len(d)) for d in raw_ip], linktype=LINKTYPE_RAW))
    sll = [bytes(CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6, src=b"\x02\x00\x00\x00\x00"
                             b"\x0a\x00\x00", proto=0x0800)/IP(src=V4A, dst=V4B)
                 / UDP(sport=1, dport=2)/Raw(b"sll")),
           bytes(CookedLinux(pkttype=4, lladdrtype=1, lladdrlen=6, src=b"\x02\x00\x00\x00\x00"
                             b"\x0b\x00\x00", proto=0x86DD)/IPv6(src=V6A, dst=V6B)
                 / UDP(sport=1, dport=2)/Raw(b"sll"))]
    write_file(os.path.join(outdir, "not_ethernet_sll.pcap"),
               pcap_bytes([(d, len(d)) for d in sll], linktype=LINKTYPE_LINUX_SLL))
    write_file(os.path.join(outdir, "corrupt.pcap"),
               b"xdpcount: this is not a capture file, just 64 fixed bytes.\n".ljust(64, b"\x00"))
    written += ["not_ethernet.pcap", "not_ethernet_sll.pcap", "corrupt.pcap"]
    return cases, written


# --------------------------------------------------------------------------------------
# Independent read-back: scapy's own readers see the records we meant to write.
# (Record count, lengths and bytes only: this is not a classifier.)
# --------------------------------------------------------------------------------------

def read_back(path, ng=False):
    reader = RawPcapNgReader(path) if ng else RawPcapReader(path)
    out = []
    try:
        while True:
            try:  # scapy's iterator stops at 65535 bytes
                data, meta = reader._read_packet(size=WIRE_MAX)
            except EOFError:
                return out
            out.append((data, meta.wirelen))
    finally:
        reader.close()


def verify(outdir, cases):
    def same(path, frames, ng=False):
        got = read_back(os.path.join(outdir, path), ng)
        assert len(got) == len(frames), (path, len(got), len(frames))
        for i, ((data, wirelen), f) in enumerate(zip(got, frames)):
            assert data == f.data and wirelen == f.wirelen, (path, i)
            for addr in filter(None, (f.src,) + (f.flow[:2] if f.flow else ())):
                fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
                assert socket.inet_pton(fam, addr) in data, (path, i, addr)

    for name, case in cases.items():
        same(name + ".pcap", case.frames)
    head = cases["mix"].frames[:100]
    same("mix.pcapng", head, ng=True)
    same("mix_nsec.pcap", head)
    same("mix_be.pcap", head)
    same("empty.pcap", [])
    two = Case("", "")
    build_two_ifaces(two)
    same("two_ifaces.pcapng", two.frames, ng=True)
    assert all(f.port[1] != FAKE_PORT for n in ("fragments", "ipv4_edge", "vlan")
               for f in cases[n].frames if f.port), "port 4444 must never be counted"
    assert len(cases["mix"].frames) == MIX_FRAMES
    assert len(cases["short_frames"].expect()["cases"]) == 7
    assert cases["short_frames"].expect()["skipped"] == 3
    sizes = cases["sizes"].expect()["sizes"]
    assert all(b["packets"] > 0 for b in sizes), "every size bucket is hit"
    l3c = cases["l3_classes"].expect()
    assert all(v["packets"] > 0 for v in list(l3c["l3"].values()) + list(l3c["l4"].values()))
    with open(os.path.join(outdir, "truncated.pcap"), "rb") as f:
        size = len(f.read())
    full = len(pcap_bytes(records(cases["mix"].frames[:1001])))
    assert full - len(cases["mix"].frames[1000].data) < size < full


def main(argv):
    outdir = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(outdir, exist_ok=True)
    cases, written = write_all(outdir)
    verify(outdir, cases)
    total = 0
    for name in written:
        total += os.path.getsize(os.path.join(outdir, name))
    for name, case in cases.items():
        print("%-14s %5d frames" % (name, len(case.frames)))
    print("%d files, %d bytes in %s" % (len(written), total, outdir))
    assert total < 5 * 1024 * 1024, "fixtures must stay small"


if __name__ == "__main__":
    main(sys.argv)
