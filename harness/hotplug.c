/* SPDX-License-Identifier: MIT */
#include "hotplug.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "jsonval.h"
#include "probe_result.h"

enum phase {
	ATTACH,          /* attach, then wait for the device */
	READ,            /* the block probe through it */
	DETACH,          /* detach, then wait for it to go */
	DONE,
};

void lab_hotplug_init(struct lab_hotplug *h, char *xml, const char *port, const char *port_path,
		      unsigned timeout_ms)
{
	memset(h, 0, sizeof(*h));
	h->xml = xml;
	snprintf(h->port, sizeof(h->port), "%s", port);
	snprintf(h->path, sizeof(h->path), "%s/00.0", port_path);
	h->timeout_ms = timeout_ms;
	h->result = json_object_new_object();
	json_object_object_add(h->result, "port", json_object_new_string(port));
	json_object_object_add(h->result, "path", json_object_new_string(h->path));
	json_object_object_add(h->result, "waited_ms", json_object_new_object());
}

static void put(struct lab_hotplug *h, const char *key, json_object *v)
{
	json_object_object_add(h->result, key, v);
}

/* The first failure is the probe's error; what comes after a failure is
 * the unplug (the disk must not stay in the guest), then the end. */
static void fail(struct lab_hotplug *h, const char *what, const char *why)
{
	lab_probe_result_fail(h->result, what, why);
	h->phase = h->phase == READ || (h->phase == ATTACH &&
					json_object_get_boolean(lab_jsonval_get(h->result, "attached")))
		   ? DETACH : DONE;
}

static json_object *wait_args(const struct lab_hotplug *h, int present)
{
	json_object *a = json_object_new_object();
	const char *group = lab_jsonval_str(h->result, "group");

	json_object_object_add(a, "path", json_object_new_string(h->path));
	json_object_object_add(a, "present", json_object_new_boolean(present));
	json_object_object_add(a, "timeout_ms", json_object_new_int64(h->timeout_ms));
	if (!present && group)
		json_object_object_add(a, "group", json_object_new_string(group));
	return a;
}

void lab_hotplug_next(struct lab_hotplug *h, virDomainPtr dom, const char **execute,
		      json_object **args)
{
	*execute = NULL;
	*args = NULL;
	switch ((enum phase)h->phase) {
	case ATTACH:
		/* synchronous: QEMU has the device when this returns; the guest
		 * learns of it through the port's hot-plug interrupt */
		if (virDomainAttachDeviceFlags(dom, h->xml, VIR_DOMAIN_AFFECT_LIVE) < 0) {
			put(h, "attached", json_object_new_boolean(0));
			fail(h, "virDomainAttachDevice", virGetLastErrorMessage());
			break;
		}
		put(h, "attached", json_object_new_boolean(1));
		*execute = "pci_wait";
		*args = wait_args(h, 1);
		return;
	case READ:
		*execute = "block";
		*args = json_object_new_object();
		json_object_object_add(*args, "disk", json_object_new_string("virtio"));
		return;
	case DETACH:
		/* asynchronous: the guest must release the device; the wait
		 * below is what says it did */
		if (virDomainDetachDeviceFlags(dom, h->xml, VIR_DOMAIN_AFFECT_LIVE) < 0) {
			put(h, "detached", json_object_new_boolean(0));
			fail(h, "virDomainDetachDevice", virGetLastErrorMessage());
			break;
		}
		put(h, "detached", json_object_new_boolean(1));
		*execute = "pci_wait";
		*args = wait_args(h, 0);
		return;
	case DONE:
		break;
	}
	h->phase = DONE;
	h->done = 1;
}

static void waited(struct lab_hotplug *h, const char *what, json_object *ret)
{
	json_object_object_add(json_object_object_get(h->result, "waited_ms"), what,
			       json_object_get(lab_jsonval_get(ret, "waited_ms")));
}

void lab_hotplug_reply(struct lab_hotplug *h, json_object *ret, json_object *error)
{
	const char *msg = error ? lab_jsonval_str(error, "desc") : NULL;

	if (!ret) {
		fail(h, h->phase == READ ? "block" : "pci_wait",
		     msg ? msg : "the agent refused the request");
		return;
	}
	switch ((enum phase)h->phase) {
	case ATTACH:
		waited(h, "appear", ret);
		put(h, "address", json_object_get(lab_jsonval_get(ret, "address")));
		put(h, "driver", json_object_get(lab_jsonval_get(ret, "driver")));
		put(h, "group", json_object_get(lab_jsonval_get(ret, "iommu_group")));
		put(h, "domain_type", json_object_get(lab_jsonval_get(ret, "group_type")));
		if (!json_object_get_boolean(lab_jsonval_get(ret, "present"))) {
			fail(h, "pci_wait", "the device did not appear in the guest");
			return;
		}
		h->phase = READ;
		return;
	case READ:
		put(h, "block", json_object_get(ret));
		put(h, "match", json_object_get(lab_jsonval_get(ret, "match")));
		/* read, matched or not: unplug either way */
		h->phase = DETACH;
		return;
	case DETACH:
		waited(h, "gone", ret);
		put(h, "removed", json_object_new_boolean(
			    !json_object_get_boolean(lab_jsonval_get(ret, "present"))));
		if (lab_jsonval_get(ret, "group_present"))
			put(h, "group_gone", json_object_new_boolean(
				    !json_object_get_boolean(lab_jsonval_get(ret, "group_present"))));
		h->phase = DONE;
		return;
	case DONE:
		return;
	}
}

json_object *lab_hotplug_take(struct lab_hotplug *h)
{
	json_object *r = h->result;

	h->result = NULL;
	return r;
}

void lab_hotplug_clear(struct lab_hotplug *h)
{
	free(h->xml);
	json_object_put(h->result);
	memset(h, 0, sizeof(*h));
}
