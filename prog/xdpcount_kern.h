/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The few kernel types the tracing programs read, declared for CO-RE: libbpf
 * finds each field by name in the running kernel's BTF at load time. Declared
 * here rather than taken from a generated vmlinux.h, whose types clash with
 * the UAPI headers that parse.h is written on.
 */
#ifndef XDPCOUNT_KERN_H
#define XDPCOUNT_KERN_H

#include <linux/types.h>

#define XC_CORE __attribute__((preserve_access_index))

struct ns_common {
	unsigned int inum; /* the inode number of /proc/PID/ns/net */
} XC_CORE;

struct net {
	struct ns_common ns;
} XC_CORE;

typedef struct {
	struct net *net;
} XC_CORE possible_net_t;

struct net_device {
	int ifindex;
	possible_net_t nd_net;
} XC_CORE;

struct sk_buff {
	struct net_device *dev;
	int skb_iif;         /* the interface it arrived on */
	unsigned int len;
	__u16 mac_header;    /* offset from head; 0xffff: none */
	unsigned int tail;   /* offset from head (64-bit kernels) */
	unsigned char *head;
	unsigned char *data;
} XC_CORE;

struct xdp_rxq_info {
	struct net_device *dev;
} XC_CORE;

struct xdp_buff {
	void *data;
	void *data_end;
	void *data_hard_start;
	struct xdp_rxq_info *rxq;
	__u32 frame_sz;
	__u32 flags;
} XC_CORE;

struct skb_shared_info {
	__u32 xdp_frags_size; /* bytes in the fragments of a multi-buffer frame */
} XC_CORE;

#endif /* XDPCOUNT_KERN_H */
