"""What a late subscriber sees: connect to a broker (MQTT 3.1.1, plain TCP), subscribe to a
filter and print every message that arrives within a time limit as one JSON line
{"topic": ..., "retain": 0|1, "payload": ...}. Only the standard library, so that the tests need
no MQTT client package.

usage: python3 mqtt_peek.py PORT FILTER [SECONDS]
"""
import json
import socket
import struct
import sys
import time

from mqtt_raw import pkt, s


def read_packet(c):
    head = c.recv(1)
    if not head:
        return None, None
    n, mul = 0, 1
    while True:
        b = c.recv(1)[0]
        n += (b & 127) * mul
        mul *= 128
        if not b & 128:
            break
    body = b""
    while len(body) < n:
        chunk = c.recv(n - len(body))
        if not chunk:
            return None, None
        body += chunk
    return head[0], body


def main():
    port, flt = int(sys.argv[1]), sys.argv[2]
    limit = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(pkt(0x10, s("MQTT") + bytes([4, 2]) + struct.pack("!H", 30) + s("twinsim-peek")))
    read_packet(c)
    c.sendall(pkt(0x82, struct.pack("!H", 1) + s(flt) + bytes([0])))
    end = time.time() + limit
    while time.time() < end:
        c.settimeout(max(0.01, end - time.time()))
        try:
            kind, body = read_packet(c)
        except socket.timeout:
            break
        if kind is None:
            break
        if kind >> 4 != 3:
            continue
        tl = struct.unpack("!H", body[:2])[0]
        topic = body[2:2 + tl].decode()
        rest = body[2 + tl:]
        if (kind >> 1) & 3:
            rest = rest[2:]
        print(json.dumps({"topic": topic, "retain": kind & 1, "payload": rest.decode()}))
    c.sendall(pkt(0xE0, b""))
    c.close()


main()
