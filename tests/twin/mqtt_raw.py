"""MQTT 3.1.1 as raw packets over plain TCP, for the tests that publish to a broker or read from
it without an MQTT client package (only the standard library): a publisher that sends at QoS 0,
in order, on one connection; mqtt_peek.py is the reader.

usage: python3 mqtt_raw.py PORT CLIENT_ID < lines "TOPIC<tab>PAYLOAD"
"""
import socket
import struct
import sys


def length(n):
    """The remaining-length field: 7 bits a byte, low first, the top bit saying more follow."""
    out = b""
    while True:
        b, n = n % 128, n // 128
        out += bytes([b | (128 if n else 0)])
        if not n:
            return out


def pkt(kind, body):
    return bytes([kind]) + length(len(body)) + body


def s(x):
    """A length-prefixed string (str or bytes)."""
    b = x.encode() if isinstance(x, str) else x
    return struct.pack("!H", len(b)) + b


def connect(port, client):
    """A connection to the broker on loopback PORT, its CONNACK read (clean session, 30 s)."""
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(pkt(0x10, s("MQTT") + bytes([4, 2]) + struct.pack("!H", 30) + s(client)))
    c.recv(4)
    return c


def publish_all(port, client, msgs):
    """Publish each (topic, payload bytes) of msgs at QoS 0, in order, then disconnect."""
    c = connect(port, client)
    for topic, payload in msgs:
        c.sendall(pkt(0x30, s(topic) + payload))
    c.sendall(pkt(0xE0, b""))
    c.close()


def main():
    lines = (line.rstrip(b"\n").split(b"\t", 1) for line in sys.stdin.buffer)
    publish_all(int(sys.argv[1]), sys.argv[2], ((t, p) for t, p in lines))


if __name__ == "__main__":
    main()
