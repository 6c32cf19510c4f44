# Lesson 002's UDP echo client as the lesson writes it; HOST and PORT may be given as arguments
# (else they are asked, as in the lesson). The message is read from standard input.
# Usage: python3 udp_echo_client.py [HOST PORT]
import socket
import sys

if len(sys.argv) > 2:
    indirizzo, porta = sys.argv[1], int(sys.argv[2])
else:
    indirizzo = input("IP server:\n")
    porta = int(input("Porta del server:\n"))
us = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
msg = input("Inserire un messaggio di echo:\n")

#send a message
us.sendto(msg.encode(), (indirizzo, porta))
# wait for reply
us.settimeout(5)  # not in the lesson: a lost datagram must not hang a test
(reply, _) = us.recvfrom(1024)
print("S: {}".format(reply.decode()))
us.close()
