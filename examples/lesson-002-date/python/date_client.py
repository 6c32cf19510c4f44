# Lesson 002's exercise "Date Server", the client: one datagram "date" out, the answer printed.
# Usage: python3 date_client.py [HOST PORT]   (default 127.0.0.1 50000)
import socket
import sys

indirizzo = sys.argv[1] if len(sys.argv) > 2 else "127.0.0.1"
porta = int(sys.argv[2]) if len(sys.argv) > 2 else 50000
us = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
us.sendto(b"date", (indirizzo, porta))
us.settimeout(5)  # UDP may lose the datagram: do not wait forever
(reply, _) = us.recvfrom(1024)
print(reply.decode(), end="")
us.close()
