/*
 * probe: an independent latency probe for Summoner, Redis and NATS pub/sub servers, to check the Java harness
 * (summoner-load) with a tool that shares none of its code. One thread on epoll: S senders publish at a fixed total
 * rate (open loop: each message is stamped with its intended send time, so a stalled server is charged for the
 * whole stall), R receivers read everything; a delivery is found by its stamp "@<sender>:<seq>:<nanos>;", which
 * every protocol carries verbatim. Prints p50/p90/p99/p99.9/max of send-to-receipt latency in microseconds over the
 * measured window, the counts (lost = expected - received after a drain) and how late the probe itself sent
 * (p99 of send lag: if it is not small against the latencies, the probe, not the server, is the limit).
 *
 *   cc -O2 -o probe probe.c
 *   ./probe summoner|redis|nats PORT SENDERS RECEIVERS RATE WARMUP_S DURATION_S [LINE_BYTES]
 *
 * PORT may be a comma-separated list (the nodes of a relay cluster): senders connect to the first, receivers to
 * each in turn.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { SUMMONER, REDIS, NATS };

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long) t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int connect_to(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short) port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *) &a, sizeof a) < 0) {
        perror("connect");
        exit(1);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            perror("write");
            exit(1);
        }
        p += w;
        n -= (size_t) w;
    }
}

typedef struct {
    int fd;
    int is_receiver;
    char carry[64]; /* the start of a stamp cut by a read boundary */
    size_t carry_len;
} conn_t;

static long long *lat, *lag;
static size_t nlat, caplat, nlag, caplag;
static long long received, received_measured;
static long long measure_from, measure_to; /* intended-send window that counts */

static void on_stamp(long long sent_ns, long long at) {
    received++;
    if (sent_ns >= measure_from && sent_ns < measure_to) {
        received_measured++;
        if (nlat == caplat) {
            caplat = caplat ? caplat * 2 : 1 << 20;
            lat = realloc(lat, caplat * sizeof *lat);
        }
        lat[nlat++] = at - sent_ns;
    }
}

/* Finds "@digits:digits:digits;" stamps; returns how many bytes at the end may start an unfinished stamp. */
static size_t scan(const char *p, size_t n, long long at) {
    size_t i = 0, keep_from = n;
    while (i < n) {
        const char *at_sign = memchr(p + i, '@', n - i);
        if (!at_sign) break;
        size_t j = (size_t) (at_sign - p) + 1;
        long long field[3] = {0, 0, 0};
        int f = 0, digits = 0, ok = 0;
        for (; j < n; j++) {
            char c = p[j];
            if (c >= '0' && c <= '9') {
                field[f] = field[f] * 10 + (c - '0');
                digits++;
            } else if (c == ':' && f < 2 && digits > 0) {
                f++;
                digits = 0;
            } else if (c == ';' && f == 2 && digits > 0) {
                ok = 1;
                break;
            } else {
                break;
            }
        }
        if (ok) {
            on_stamp(field[2], at);
            i = j + 1;
        } else if (j == n) {
            keep_from = (size_t) (at_sign - p);
            break;
        } else {
            i = (size_t) (at_sign - p) + 1;
        }
    }
    return n - keep_from;
}

static int cmp(const void *a, const void *b) {
    long long x = *(const long long *) a, y = *(const long long *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 8) {
        fprintf(stderr, "usage: probe summoner|redis|nats PORT[,PORT...] SENDERS RECEIVERS RATE WARMUP_S DURATION_S [LINE_BYTES]\n");
        return 2;
    }
    int proto = strcmp(argv[1], "redis") == 0 ? REDIS : strcmp(argv[1], "nats") == 0 ? NATS : SUMMONER;
    int ports[16], nports = 0;
    for (char *p = argv[2]; *p && nports < 16; ) {
        ports[nports++] = (int) strtol(p, &p, 10);
        if (*p == ',') p++;
    }
    int senders = atoi(argv[3]), receivers = atoi(argv[4]);
    long rate = atol(argv[5]);
    int warmup = atoi(argv[6]), duration = atoi(argv[7]);
    int line_bytes = argc > 8 ? atoi(argv[8]) : 128;
    int ep = epoll_create1(0);
    conn_t *conns = calloc((size_t) (senders + receivers), sizeof *conns);
    for (int i = 0; i < receivers + senders; i++) {
        conn_t *c = &conns[i];
        c->is_receiver = i < receivers;
        c->fd = connect_to(c->is_receiver ? ports[i % nports] : ports[0]);
        if (proto == REDIS && c->is_receiver) write_all(c->fd, "SUBSCRIBE t\r\n", 13);
        if (proto == NATS) {
            const char *hello = c->is_receiver ? "CONNECT {\"verbose\":false}\r\nSUB t 1\r\nPING\r\n" : "CONNECT {\"verbose\":false}\r\n";
            write_all(c->fd, hello, strlen(hello));
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    }
    usleep(500000); /* subscriptions settle */
    long long start = now_ns() + 10000000LL;
    long long interval = 1000000000LL / rate;
    measure_from = start + (long long) warmup * 1000000000LL;
    measure_to = measure_from + (long long) duration * 1000000000LL;
    long long seq = 0, next = start, sent = 0, sent_measured = 0;
    char payload[4096], msg[4200];
    static char buf[1 << 18];
    struct epoll_event events[512];
    long long drain_until = 0;
    for (;;) {
        long long t = now_ns();
        while (t >= next && next < measure_to) { /* everything due goes out now, each stamped with its own time */
            int s = (int) (seq % senders);
            int n = snprintf(payload, sizeof payload, "@%d:%lld:%lld;", s, seq, next);
            memset(payload + n, 'x', (size_t) (line_bytes - n));
            size_t len;
            if (proto == SUMMONER) {
                memcpy(msg, payload, (size_t) line_bytes);
                msg[line_bytes] = '\n';
                len = (size_t) line_bytes + 1;
            } else if (proto == REDIS) {
                len = (size_t) snprintf(msg, sizeof msg, "PUBLISH t %.*s\r\n", line_bytes, payload);
            } else {
                len = (size_t) snprintf(msg, sizeof msg, "PUB t %d\r\n%.*s\r\n", line_bytes, line_bytes, payload);
            }
            write_all(conns[receivers + s].fd, msg, len);
            if (next >= measure_from) {
                if (nlag == caplag) {
                    caplag = caplag ? caplag * 2 : 1 << 16;
                    lag = realloc(lag, caplag * sizeof *lag);
                }
                lag[nlag++] = now_ns() - next;
            }
            sent++;
            if (next >= measure_from) sent_measured++;
            seq++;
            next = start + seq * interval;
        }
        if (next >= measure_to && drain_until == 0) drain_until = t + 2000000000LL;
        if (drain_until && (t > drain_until || received >= sent * receivers)) break;
        long long wait = (drain_until ? drain_until : next) - now_ns();
        if (wait < 0) wait = 0;
        struct timespec timeout = {.tv_sec = wait / 1000000000LL, .tv_nsec = wait % 1000000000LL};
        int n = epoll_pwait2(ep, events, 512, &timeout, NULL); /* wakes for the next send on time, to the microsecond */
        if (n < 0 && errno == EINTR) continue;
        long long at = now_ns();
        for (int i = 0; i < n; i++) {
            conn_t *c = events[i].data.ptr;
            memcpy(buf, c->carry, c->carry_len);
            ssize_t got = read(c->fd, buf + c->carry_len, sizeof buf - c->carry_len);
            if (got <= 0) {
                if (got < 0 && errno == EAGAIN) continue;
                fprintf(stderr, "the server closed a connection\n");
                return 1;
            }
            size_t total = c->carry_len + (size_t) got;
            if (proto == NATS && memmem(buf, total, "PING\r\n", 6)) write_all(c->fd, "PONG\r\n", 6);
            if (!c->is_receiver) {
                c->carry_len = 0;
                continue; /* what a sender gets (Summoner relays to senders too, Redis replies) is not counted */
            }
            size_t keep = scan(buf, total, at);
            if (keep > sizeof c->carry) keep = 0;
            memmove(c->carry, buf + total - keep, keep);
            c->carry_len = keep;
        }
    }
    qsort(lat, nlat, sizeof *lat, cmp);
    qsort(lag, nlag, sizeof *lag, cmp);
    double lag99 = nlag ? lag[(size_t) ((double) (nlag - 1) * 0.99)] / 1000.0 : 0.0;
#define PCT(p) (nlat ? lat[(size_t) ((double) (nlat - 1) * (p))] / 1000.0 : 0.0)
    printf("{\"protocol\":\"%s\",\"senders\":%d,\"receivers\":%d,\"rate\":%ld,\"sent\":%lld,\"expected\":%lld,\"received\":%lld,"
           "\"lost\":%lld,\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f,\"sendLagP99\":%.1f}\n",
           argv[1], senders, receivers, rate, sent_measured, sent_measured * receivers, received_measured,
           sent_measured * receivers - received_measured, PCT(0.5), PCT(0.9), PCT(0.99), PCT(0.999), PCT(1.0), lag99);
    return 0;
}
