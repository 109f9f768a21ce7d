/* SPDX-License-Identifier: MIT */
#include "domain.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "cleanup.h"
#include "proto.h"

#define QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

char *lab_domain_cmdline(const struct lab_domain_spec *spec)
{
	char *s = NULL;

	const char *base = spec->platform->cmdline;

	if (asprintf(&s, "console=%s panic=-1%s%s%s%s", spec->platform->console,
		     base ? " " : "", base ? base : "",
		     spec->append && *spec->append ? " " : "",
		     spec->append ? spec->append : "") < 0)
		return NULL;
	return s;
}

static xmlNodePtr child(xmlNodePtr parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text);
}

static void prop(xmlNodePtr node, const char *name, const char *value)
{
	xmlNewProp(node, BAD_CAST name, BAD_CAST value);
}

static void add_os(xmlNodePtr dom, const struct lab_domain_spec *spec)
{
	xmlNodePtr os = child(dom, "os", NULL);
	xmlNodePtr type = child(os, "type", "hvm");
	char *cmdline = lab_domain_cmdline(spec);

	prop(type, "arch", spec->platform->arch);
	prop(type, "machine", spec->platform->machine);
	if (spec->platform->firmware) {
		/* type='rom': QEMU's -bios. No pflash, so no NVRAM file per
		 * guest to create and remove: EDK2 keeps its variables in RAM. */
		xmlNodePtr loader = child(os, "loader", spec->platform->firmware);

		prop(loader, "readonly", "yes");
		prop(loader, "type", "rom");
	}
	child(os, "kernel", spec->kernel);
	child(os, "initrd", spec->initrd);
	child(os, "cmdline", cmdline);
	free(cmdline);
}

static void add_features(xmlNodePtr dom, const struct lab_platform *p)
{
	xmlNodePtr features = child(dom, "features", NULL);

	if (lab_platform_has_feature(p, "acpi"))
		child(features, "acpi", NULL);
	/* intel-iommu's interrupt remapping needs the IOAPIC in QEMU. */
	if (lab_platform_has_feature(p, "ioapic-qemu"))
		prop(child(features, "ioapic", NULL), "driver", "qemu");
	if (lab_platform_has_feature(p, "gic-v3"))
		prop(child(features, "gic", NULL), "version", "3");
}

static void add_devices(xmlNodePtr dom, const struct lab_domain_spec *spec)
{
	const struct lab_platform *p = spec->platform;
	xmlNodePtr devs = child(dom, "devices", NULL);
	xmlNodePtr n;

	if (spec->emulator)
		child(devs, "emulator", spec->emulator->binary);

	/* Nothing the test does not need: fewer devices, faster boots. */
	n = child(devs, "controller", NULL);
	prop(n, "type", "usb");
	prop(n, "model", "none");
	prop(child(devs, "serial", NULL), "type", "pty");
	prop(child(devs, "console", NULL), "type", "pty");
	n = child(devs, "channel", NULL);
	prop(n, "type", "unix");
	n = child(n, "target", NULL);
	prop(n, "type", "virtio");
	prop(n, "name", LAB_PROTO_PORT);
	prop(child(devs, "memballoon", NULL), "model", "none");
	if (p->iommu) {
		xmlNodePtr iommu = child(devs, "iommu", NULL);

		prop(iommu, "model", json_object_get_string(
					     json_object_object_get(p->iommu, "model")));
	}
}

static void add_arg(xmlNodePtr cmd, xmlNsPtr ns, const char *value)
{
	xmlNewProp(xmlNewChild(cmd, ns, BAD_CAST "arg", NULL), BAD_CAST "value", BAD_CAST value);
}

/* Devices libvirt has no element for go in as JSON -device arguments, which
 * QEMU realises after libvirt's own (docs/NOTES.md, "Domain XML": a keyval amd-iommu would
 * grab slot 1 and collide with libvirt's root ports). */
static void add_qemu_device(xmlNodePtr cmd, xmlNsPtr ns, json_object *dev)
{
	add_arg(cmd, ns, "-device");
	add_arg(cmd, ns, json_object_to_json_string_ext(dev, JSON_C_TO_STRING_PLAIN));
}

int lab_domain_valid_opt(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._:+-", *s))
			return 0;
	return 1;
}

/* Every name and value must be plain: a comma or '=' in one would let it
 * smuggle another option onto QEMU's command line. */
static int check_opts(json_object *opts, const char *what, struct lab_error *err)
{
	json_object_object_foreach(opts, key, val) {
		const char *v = json_object_get_string(val);

		if (!lab_domain_valid_opt(key) || !lab_domain_valid_opt(v)) {
			lab_error_set(err, "bad %s '%s=%s'", what, key, v ? v : "");
			return -1;
		}
	}
	return 0;
}

/* IOMMU options go in as -global DRIVER.PROP=VALUE: one path for every
 * platform, whether libvirt made the device (<iommu>), the lab did (a JSON
 * -device) or the machine does (virt's SMMUv3), and QEMU parses the value
 * with the property's own type. */
static void add_iommu_opts(xmlNodePtr cmd, xmlNsPtr ns, const struct lab_domain_spec *spec)
{
	json_object_object_foreach(spec->iommu_opts, key, val) {
		char arg[256];

		snprintf(arg, sizeof(arg), "%s.%s=%s", spec->platform->iommu_driver, key,
			 json_object_get_string(val));
		add_arg(cmd, ns, "-global");
		add_arg(cmd, ns, arg);
	}
}

/* Machine options ride on a second -machine, which QEMU merges into the
 * one libvirt writes (later values win): the platform's, then the run's. */
static void add_machine_opts(xmlNodePtr cmd, xmlNsPtr ns, const struct lab_domain_spec *spec)
{
	json_object *all = json_object_new_object();
	json_object *layers[] = { spec->platform->machine_opts, spec->machine_opts };
	char *arg = NULL;
	size_t len = 0;
	int n = 0;
	FILE *f = open_memstream(&arg, &len);

	for (size_t i = 0; i < sizeof(layers) / sizeof(layers[0]); i++) {
		if (!layers[i])
			continue;
		json_object_object_foreach(layers[i], key, val)
			json_object_object_add(all, key, json_object_get(val));
	}
	json_object_object_foreach(all, key, val)
		fprintf(f, "%s%s=%s", n++ ? "," : "", key, json_object_get_string(val));
	fclose(f);
	if (n) {
		add_arg(cmd, ns, "-machine");
		add_arg(cmd, ns, arg);
	}
	free(arg);
	json_object_put(all);
}

/* A measured run's trace events (harness/trace.h): one -trace per pattern,
 * each naming the file, since each -trace option sets the log file anew
 * (docs/NOTES.md, "QEMU trace events"). QEMU's option syntax doubles a
 * comma inside a value. */
static void add_trace(xmlNodePtr cmd, xmlNsPtr ns, const struct lab_domain_spec *spec)
{
	for (size_t i = 0; spec->trace_file && spec->trace_events && spec->trace_events[i]; i++) {
		size_t n = strlen(spec->trace_file), len = strlen(spec->trace_events[i]) + 2 * n + 16;
		lab_autofree char *arg = malloc(len);
		char *p;

		if (!arg)
			return;
		p = arg + snprintf(arg, len, "enable=%s,file=", spec->trace_events[i]);
		for (const char *c = spec->trace_file; *c; c++) {
			*p++ = *c;
			if (*c == ',')
				*p++ = ',';
		}
		*p = '\0';
		add_arg(cmd, ns, "-trace");
		add_arg(cmd, ns, arg);
	}
}

static int add_qemu_commandline(xmlNodePtr dom, xmlNsPtr ns, const struct lab_domain_spec *spec,
				struct lab_error *err)
{
	const struct lab_platform *p = spec->platform;
	xmlNodePtr cmd = xmlNewChild(dom, ns, BAD_CAST "commandline", NULL);
	size_t n = p->qemu_devices ? json_object_array_length(p->qemu_devices) : 0;
	unsigned nedu = spec->test_devices ? spec->test_devices : 1;

	for (size_t i = 0; i < n; i++)
		add_qemu_device(cmd, ns, json_object_array_get_idx(p->qemu_devices, i));
	/* The test devices, at fixed addresses on every platform: the first
	 * at the platform's slot, a second (isolation probes) in the next. */
	for (unsigned i = 0; i < nedu; i++) {
		json_object *edu = json_object_new_object();
		char addr[8], id[16];

		snprintf(addr, sizeof(addr), "0x%x", p->test_slot + (int)i);
		snprintf(id, sizeof(id), "lab-edu%u", i);
		json_object_object_add(edu, "driver", json_object_new_string("edu"));
		json_object_object_add(edu, "id", json_object_new_string(id));
		json_object_object_add(edu, "bus", json_object_new_string(p->test_bus));
		json_object_object_add(edu, "addr", json_object_new_string(addr));
		if (p->test_dma_mask)
			json_object_object_add(edu, "dma_mask", json_object_new_int64(
				(int64_t)strtoull(p->test_dma_mask, NULL, 16)));
		add_qemu_device(cmd, ns, edu);
		json_object_put(edu);
	}
	if ((spec->machine_opts && check_opts(spec->machine_opts, "machine option", err) < 0) ||
	    (p->machine_opts && check_opts(p->machine_opts, "machine option", err) < 0) ||
	    (spec->iommu_opts && check_opts(spec->iommu_opts, "QEMU option", err) < 0))
		return -1;
	add_machine_opts(cmd, ns, spec);
	if (spec->iommu_opts)
		add_iommu_opts(cmd, ns, spec);
	add_trace(cmd, ns, spec);
	return 0;
}

/* The QEMU's own firmware (qemu.h): -L for each data folder, searched in
 * order before the QEMU's built-in one. */
static void add_emulator_dirs(xmlNodePtr dom, xmlNsPtr ns, const struct lab_domain_spec *spec)
{
	const struct lab_qemu_emulator *e = spec->emulator;
	xmlNodePtr cmd = NULL, n;

	if (!e)
		return;
	/* after the disks' arguments: the commandline element exists by now */
	for (n = xmlFirstElementChild(dom); n; n = xmlNextElementSibling(n))
		if (!xmlStrcmp(n->name, BAD_CAST "commandline") && n->ns == ns)
			cmd = n;
	for (size_t i = 0; i < e->ndata; i++) {
		add_arg(cmd, ns, "-L");
		add_arg(cmd, ns, e->data_dirs[i]);
	}
}

/* ---- topology (harness/topology.h) ---------------------------------------
 * Bridges are libvirt controllers, endpoints libvirt devices where libvirt
 * has one (NICs; the disks below); edu has no element, so it is a JSON
 * -device on the controller's bus. Every node carries a user alias
 * (ua-topo-ID): it is the QEMU id, so the bus a JSON -device names, and
 * what <qemu:override> finds. libvirt models neither a root port's ACS
 * nor an expander's bypass_iommu, so those are overrides of the device's
 * QEMU properties (libvirt >= 8.2). */

/* libvirt's controller index of a bridge node: pcie.0 is 0, the topology's
 * bridges 1.. in file order (a bus is listed before what sits on it, as
 * libvirt wants indexes to grow away from the root). */
static unsigned ctl_index(const struct lab_topology *t, int i)
{
	unsigned n = 0;

	if (i < 0)
		return 0;
	for (int j = 0; j <= i; j++)
		n += lab_topo_kind_info(t->nodes[j].kind)->bridge ? 1 : 0;
	return n;
}

static void topo_alias(const struct lab_topology *t, int i, char *buf, size_t len)
{
	if (i < 0)
		snprintf(buf, len, "pcie.0");
	else
		snprintf(buf, len, "ua-topo-%s", t->nodes[i].id);
}

/* function 0 of a slot that has other functions */
static int multifunction(const struct lab_topology *t, size_t i)
{
	const struct lab_topo_node *n = &t->nodes[i];

	for (size_t j = 0; !n->function && j < t->n; j++)
		if (j != i && t->nodes[j].parent == n->parent && t->nodes[j].slot == n->slot)
			return 1;
	return 0;
}

/* <address type='pci'> on libvirt's bus (controller index) bus */
static void pci_address(xmlNodePtr el, unsigned bus, unsigned slot, unsigned function,
			int multifunction)
{
	xmlNodePtr a = child(el, "address", NULL);
	char buf[16];

	prop(a, "type", "pci");
	prop(a, "domain", "0x0000");
	snprintf(buf, sizeof(buf), "0x%02x", bus);
	prop(a, "bus", buf);
	snprintf(buf, sizeof(buf), "0x%02x", slot);
	prop(a, "slot", buf);
	snprintf(buf, sizeof(buf), "0x%x", function);
	prop(a, "function", buf);
	if (multifunction)
		prop(a, "multifunction", "on");
}

static void topo_address(xmlNodePtr el, const struct lab_topology *t, size_t i)
{
	const struct lab_topo_node *n = &t->nodes[i];

	pci_address(el, ctl_index(t, n->parent), n->slot, n->function, multifunction(t, i));
}

static void topo_override(xmlNodePtr dom, xmlNsPtr ns, const char *alias, const char *name)
{
	xmlNodePtr o = NULL, n;

	for (n = xmlFirstElementChild(dom); n; n = xmlNextElementSibling(n))
		if (!xmlStrcmp(n->name, BAD_CAST "override") && n->ns == ns)
			o = n;
	if (!o)
		o = xmlNewChild(dom, ns, BAD_CAST "override", NULL);
	n = xmlNewChild(o, ns, BAD_CAST "device", NULL);
	prop(n, "alias", alias);
	n = xmlNewChild(n, ns, BAD_CAST "frontend", NULL);
	n = xmlNewChild(n, ns, BAD_CAST "property", NULL);
	prop(n, "name", name);
	prop(n, "type", "bool");
	prop(n, "value", "true");
}

static void topo_bridge(xmlNodePtr devs, xmlNodePtr dom, xmlNsPtr ns,
			const struct lab_topology *t, size_t i)
{
	const struct lab_topo_node *n = &t->nodes[i];
	xmlNodePtr c = child(devs, "controller", NULL);
	char buf[64];

	prop(c, "type", "pci");
	snprintf(buf, sizeof(buf), "%u", ctl_index(t, (int)i));
	prop(c, "index", buf);
	prop(c, "model", lab_topo_kind_info(n->kind)->libvirt);
	if (n->kind == LAB_TOPO_EXPANDER) {
		snprintf(buf, sizeof(buf), "%u", n->bus_nr);
		prop(child(c, "target", NULL), "busNr", buf);
	}
	topo_alias(t, (int)i, buf, sizeof(buf));
	prop(child(c, "alias", NULL), "name", buf);
	topo_address(c, t, i);
	if (!n->acs)
		topo_override(dom, ns, buf, "disable-acs");
	if (n->bypass_iommu)
		topo_override(dom, ns, buf, "bypass_iommu");
}

static void topo_nic(xmlNodePtr devs, const struct lab_topology *t, size_t i)
{
	xmlNodePtr nic = child(devs, "interface", NULL);
	char alias[64];

	/* user networking: no bridge or tap on the host; the guest has no
	 * driver for it to use the link anyway (a NIC is here to be grouped) */
	prop(nic, "type", "user");
	if (t->nodes[i].kind == LAB_TOPO_VIRTIO_NET) {
		prop(child(nic, "model", NULL), "type", "virtio-non-transitional");
		prop(child(nic, "driver", NULL), "iommu", "on");
	} else {
		prop(child(nic, "model", NULL), "type", "e1000e");
	}
	prop(child(nic, "rom", NULL), "enabled", "no");    /* no iPXE: nothing boots from it */
	topo_alias(t, (int)i, alias, sizeof(alias));
	prop(child(nic, "alias", NULL), "name", alias);
	topo_address(nic, t, i);
}

static void topo_edu(xmlNodePtr cmd, xmlNsPtr ns, const struct lab_domain_spec *spec, size_t i)
{
	const struct lab_topology *t = spec->topology;
	const struct lab_topo_node *n = &t->nodes[i];
	json_object *edu = json_object_new_object();
	char buf[64];

	json_object_object_add(edu, "driver", json_object_new_string("edu"));
	topo_alias(t, (int)i, buf, sizeof(buf));
	json_object_object_add(edu, "id", json_object_new_string(buf));
	topo_alias(t, n->parent, buf, sizeof(buf));
	json_object_object_add(edu, "bus", json_object_new_string(buf));
	snprintf(buf, sizeof(buf), "0x%x.%x", n->slot, n->function);
	json_object_object_add(edu, "addr", json_object_new_string(buf));
	if (multifunction(t, i))
		json_object_object_add(edu, "multifunction", json_object_new_boolean(1));
	if (spec->platform->test_dma_mask)
		json_object_object_add(edu, "dma_mask", json_object_new_int64(
			(int64_t)strtoull(spec->platform->test_dma_mask, NULL, 16)));
	add_qemu_device(cmd, ns, edu);
	json_object_put(edu);
}

static void add_topology(xmlNodePtr dom, xmlNsPtr ns, const struct lab_domain_spec *spec)
{
	const struct lab_topology *t = spec->topology;
	xmlNodePtr devs = NULL, cmd = NULL, n;

	for (n = xmlFirstElementChild(dom); n; n = xmlNextElementSibling(n)) {
		if (!xmlStrcmp(n->name, BAD_CAST "devices"))
			devs = n;
		else if (!xmlStrcmp(n->name, BAD_CAST "commandline") && n->ns == ns)
			cmd = n;
	}
	if (!t)
		return;
	/* libvirt puts a device without an address in the first free slot,
	 * and an edu it does not know of leaves its port looking free: pin
	 * the agent's virtio-serial to the root bus, out of the topology's way */
	n = child(devs, "controller", NULL);
	prop(n, "type", "virtio-serial");
	prop(n, "index", "0");
	pci_address(n, 0, 0x03, 0, 0);
	for (size_t i = 0; i < t->n; i++) {
		switch (t->nodes[i].kind) {
		case LAB_TOPO_EDU:
			topo_edu(cmd, ns, spec, i);
			break;
		case LAB_TOPO_E1000E:
		case LAB_TOPO_VIRTIO_NET:
			topo_nic(devs, t, i);
			break;
		case LAB_TOPO_VIRTIO_BLK:
		case LAB_TOPO_NVME:
			break;      /* the run's disk: add_disks */
		default:
			topo_bridge(devs, dom, ns, t, i);
		}
	}
}

/* Disks, each at its own slot on the root bus (domain.h). virtio-blk is a
 * libvirt <disk>, so libvirt labels the image (and its backing chain) for
 * QEMU itself; iommu='on' is QEMU's iommu_platform, which puts the device's
 * DMA behind the emulated IOMMU (without it virtio DMAs to guest-physical
 * addresses, past it). QEMU refuses iommu_platform on a transitional
 * (legacy-capable) virtio device, and a virtio device on the root bus is
 * transitional unless told otherwise (hw/virtio/virtio-pci.c): hence the
 * non-transitional model. No ats: it only matters with intel-iommu's
 * device-iotlb=on, and none of the three IOMMUs needs it to translate.
 * libvirt 9.0 has no NVMe disk bus (domaincommon.rng: nvme is only a
 * host-device source type), so NVMe goes in as a JSON -blockdev + -device,
 * which QEMU realises after libvirt's devices (docs/NOTES.md), with an
 * explicit addr. QEMU's nvme device DMAs through pci_dma_*: always through
 * the IOMMU. libvirt does not label such an image: harness/disk.c makes it
 * reachable for the QEMU user. */
/* The topology node a disk moves to: the first disk of each bus, when the
 * topology has a node of that kind; -1: its slot on the root bus. */
static int disk_node(const struct lab_domain_spec *spec, size_t i)
{
	const char *bus = spec->disks[i].bus;

	if (!spec->topology || spec->disks[i].no_iommu)
		return -1;
	for (size_t j = 0; j < i; j++)
		if (!strcmp(spec->disks[j].bus, bus) && !spec->disks[j].no_iommu)
			return -1;
	return lab_topology_first(spec->topology, strcmp(bus, "nvme") ? LAB_TOPO_VIRTIO_BLK
							  : LAB_TOPO_NVME);
}

/* A virtio-blk disk (domain.h), into devs: at its slot on the root bus
 * (slot), at its topology node (node >= 0), or on its hot-plug port. */
static void virtio_disk(xmlNodePtr devs, const struct lab_domain_spec *spec, size_t i, int node,
			unsigned slot)
{
	const struct lab_domain_disk *d = &spec->disks[i];
	xmlNodePtr disk = child(devs, "disk", NULL), n;
	char target[8];

	prop(disk, "type", "file");
	prop(disk, "device", "disk");
	prop(disk, "model", "virtio-non-transitional");
	n = child(disk, "driver", NULL);
	prop(n, "name", "qemu");
	prop(n, "type", "qcow2");
	prop(n, "iommu", d->no_iommu ? "off" : "on");
	n = child(disk, "source", NULL);
	prop(n, "file", d->path);
	/* The lab sets the owners itself, as for NVMe (disk.c):
	 * libvirt would chown the shared base to QEMU's user
	 * and, a backing file being read-only to it, never give
	 * it back: any later QEMU could then write it. */
	n = child(n, "seclabel", NULL);
	prop(n, "model", "dac");
	prop(n, "relabel", "no");
	/* vda, vdb...: libvirt needs a name; the guest goes by the serial */
	snprintf(target, sizeof(target), "vd%c", (int)('a' + i));
	n = child(disk, "target", NULL);
	prop(n, "dev", target);
	prop(n, "bus", "virtio");
	child(disk, "serial", d->serial);
	if (node >= 0) {
		topo_address(disk, spec->topology, (size_t)node);
		return;
	}
	if (d->hotplug)
		/* slot 0 behind its root port: a bus of that port's own */
		pci_address(disk, ctl_index(spec->topology, d->hotplug_port), 0, 0, 0);
	else
		pci_address(disk, 0, slot, 0, 0);
}

char *lab_domain_hotplug_xml(const struct lab_domain_spec *spec, size_t i, struct lab_error *err)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	xmlChar *buf = NULL;
	char *out = NULL;
	int len = 0;

	if (i >= spec->n_disks || !spec->disks[i].hotplug || strcmp(spec->disks[i].bus, "virtio") ||
	    !spec->topology || spec->disks[i].hotplug_port < 0 ||
	    spec->topology->nodes[spec->disks[i].hotplug_port].kind != LAB_TOPO_ROOT_PORT) {
		lab_error_set(err, "disk %zu: not a virtio disk for a topology's root port", i);
		return NULL;
	}
	doc = xmlNewDoc(BAD_CAST "1.0");
	root = xmlNewNode(NULL, BAD_CAST "devices");
	xmlDocSetRootElement(doc, root);
	virtio_disk(root, spec, i, -1, 0);
	xmlDocDumpFormatMemoryEnc(doc, &buf, &len, "UTF-8", 1);
	xmlFreeDoc(doc);
	if (!buf) {
		lab_error_set(err, "serialising the disk XML failed");
		return NULL;
	}
	/* the <disk> element alone, as virDomainAttachDevice wants it */
	{
		const char *a = strstr((const char *)buf, "<disk"), *b = strstr((const char *)buf, "</disk>");

		if (a && b)
			out = strndup(a, (size_t)(b + strlen("</disk>") - a));
	}
	xmlFree(buf);
	if (!out)
		lab_error_set(err, "serialising the disk XML failed");
	return out;
}

static int add_disks(xmlNodePtr dom, xmlNsPtr ns, const struct lab_domain_spec *spec,
		     struct lab_error *err)
{
	xmlNodePtr devs = NULL, cmd = NULL, n;

	if (spec->n_disks > LAB_DOMAIN_DISKS_MAX) {
		lab_error_set(err, "%zu disks: at most %d", spec->n_disks, LAB_DOMAIN_DISKS_MAX);
		return -1;
	}
	for (n = xmlFirstElementChild(dom); n; n = xmlNextElementSibling(n)) {
		if (!xmlStrcmp(n->name, BAD_CAST "devices"))
			devs = n;
		else if (!xmlStrcmp(n->name, BAD_CAST "commandline") && n->ns == ns)
			cmd = n;
	}
	for (size_t i = 0; i < spec->n_disks; i++) {
		const struct lab_domain_disk *d = &spec->disks[i];
		unsigned slot = LAB_DOMAIN_DISK_SLOT + (unsigned)i;
		char addr[16], id[16], nodename[16], bus[64];
		json_object *o, *file;
		int node;

		if (!d->path || d->path[0] != '/' || !d->bus || !lab_domain_valid_opt(d->serial) ||
		    strlen(d->serial) > LAB_DOMAIN_SERIAL_MAX) {
			lab_error_set(err, "disk %zu: needs an absolute path, a bus and a serial "
				      "of at most %d plain characters", i, LAB_DOMAIN_SERIAL_MAX);
			return -1;
		}
		snprintf(addr, sizeof(addr), "0x%x", slot);
		node = disk_node(spec, i);
		if (node >= 0)
			snprintf(addr, sizeof(addr), "0x%x.%x", spec->topology->nodes[node].slot,
				 spec->topology->nodes[node].function);
		if (!strcmp(d->bus, "virtio")) {
			if (!d->hotplug)
				virtio_disk(devs, spec, i, node, slot);
		} else if (!strcmp(d->bus, "nvme") && !d->no_iommu) {
			snprintf(nodename, sizeof(nodename), "lab-disk%zu", i);
			snprintf(id, sizeof(id), "lab-nvme%zu", i);
			o = json_object_new_object();
			file = json_object_new_object();
			json_object_object_add(file, "driver", json_object_new_string("file"));
			json_object_object_add(file, "filename", json_object_new_string(d->path));
			json_object_object_add(o, "driver", json_object_new_string("qcow2"));
			json_object_object_add(o, "node-name", json_object_new_string(nodename));
			json_object_object_add(o, "file", file);
			add_arg(cmd, ns, "-blockdev");
			add_arg(cmd, ns, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
									   JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
			o = json_object_new_object();
			json_object_object_add(o, "driver", json_object_new_string("nvme"));
			json_object_object_add(o, "id", json_object_new_string(id));
			json_object_object_add(o, "drive", json_object_new_string(nodename));
			json_object_object_add(o, "serial", json_object_new_string(d->serial));
			topo_alias(spec->topology, node >= 0 ? spec->topology->nodes[node].parent : -1,
				   bus, sizeof(bus));
			json_object_object_add(o, "bus", json_object_new_string(bus));
			if (node >= 0 && multifunction(spec->topology, (size_t)node))
				json_object_object_add(o, "multifunction", json_object_new_boolean(1));
			json_object_object_add(o, "addr", json_object_new_string(addr));
			add_qemu_device(cmd, ns, o);
			json_object_put(o);
		} else {
			lab_error_set(err, "disk %zu: bus '%s' (virtio or nvme; no_iommu is "
				      "virtio's only)", i, d->bus);
			return -1;
		}
	}
	return 0;
}

char *lab_domain_xml(const struct lab_domain_spec *spec, struct lab_error *err)
{
	const struct lab_platform *p = spec->platform;
	xmlDocPtr doc;
	xmlNodePtr dom, n;
	xmlNsPtr qemu;
	xmlChar *buf = NULL;
	char *out = NULL;
	char num[32];
	int len = 0;

	if (strncmp(spec->name, LAB_DOMAIN_PREFIX, strlen(LAB_DOMAIN_PREFIX))) {
		lab_error_set(err, "domain name '%s' lacks the lab prefix", spec->name);
		return NULL;
	}
	doc = xmlNewDoc(BAD_CAST "1.0");
	dom = xmlNewNode(NULL, BAD_CAST "domain");
	xmlDocSetRootElement(doc, dom);
	qemu = xmlNewNs(dom, BAD_CAST QEMU_NS, BAD_CAST "qemu");
	prop(dom, "type", strcmp(spec->accel, "kvm") ? "qemu" : "kvm");
	child(dom, "name", spec->name);
	if (spec->owner) {
		/* whose guest this is, for gc and a restarted libvirtd (owner.h) */
		xmlNodePtr o = xmlNewChild(child(dom, "metadata", NULL), NULL, BAD_CAST "owner", NULL);

		xmlSetNs(o, xmlNewNs(o, BAD_CAST LAB_OWNER_NS, BAD_CAST LAB_OWNER_NS_PREFIX));
		prop(o, "host", spec->owner->host);
		snprintf(num, sizeof(num), "%ld", spec->owner->pid);
		prop(o, "pid", num);
		snprintf(num, sizeof(num), "%llu", spec->owner->start);
		prop(o, "start", num);
	}
	snprintf(num, sizeof(num), "%u", spec->memory_mib);
	prop(child(dom, "memory", num), "unit", "MiB");
	snprintf(num, sizeof(num), "%u", spec->vcpus);
	child(dom, "vcpu", num);
	add_os(dom, spec);
	add_features(dom, p);
	if (p->cpu) {
		n = child(dom, "cpu", NULL);
		prop(n, "mode", "custom");
		prop(n, "match", "exact");
		child(n, "model", p->cpu);
	}
	/* A transient guest that stops is gone: nothing to undefine. A
	 * reset probe needs the guest to survive its reset (domain.h). */
	child(dom, "on_poweroff", "destroy");
	child(dom, "on_reboot", spec->restart_on_reboot ? "restart" : "destroy");
	child(dom, "on_crash", "destroy");
	add_devices(dom, spec);
	if (add_qemu_commandline(dom, qemu, spec, err) < 0 ||
	    add_disks(dom, qemu, spec, err) < 0) {
		xmlFreeDoc(doc);
		return NULL;
	}
	add_topology(dom, qemu, spec);
	add_emulator_dirs(dom, qemu, spec);

	xmlDocDumpFormatMemoryEnc(doc, &buf, &len, "UTF-8", 1);
	if (buf)
		out = strdup((const char *)buf);
	if (!out)
		lab_error_set(err, "serialising the domain XML failed");
	xmlFree(buf);
	xmlFreeDoc(doc);
	return out;
}
