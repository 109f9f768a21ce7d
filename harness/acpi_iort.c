/* SPDX-License-Identifier: MIT */
/*
 * The Arm IORT table (see acpi.h for its JSON): the node array, then each
 * node, ITS group, named component, root complex, SMMUv1/v2, SMMUv3,
 * PMCG, RMR and IWB, with its ID mappings (targets, the SMMUv3 and PMCG
 * MSI DeviceID mapping, overlapping input ranges) and the arrays inside it;
 * root complexes also with the requester IDs of the machine's PCI functions
 * they map; afterwards a root complex for every PCI segment.
 *
 * Arm DEN 0049 (IO Remapping Table, up to revision E.f: node types and the
 * newest revision of each, ID mappings, memory access properties), as
 * ACPICA's actbl2.h lays it out and drivers/acpi/arm64/iort.c reads it.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi_internal.h"

#define MAX_LISTED_RIDS 8

enum {
	IORT_ITS, IORT_NC, IORT_RC, IORT_SMMU, IORT_SMMUV3, IORT_PMCG, IORT_RMR, IORT_IWB,
	IORT_NTYPES
};

static const char *const iort_names[IORT_NTYPES] = {
	"its_group", "named_component", "root_complex", "smmu", "smmuv3", "pmcg", "rmr", "iwb",
};
/* The newest node revision of each type this parser knows (FWTS's limits, DEN0049 E.f). */
static const uint8_t iort_max_rev[IORT_NTYPES] = { 1, 4, 4, 3, 5, 2, 3, 1 };

struct iort_node {
	size_t off, len;
	uint8_t type;
	json_object *obj;
};

struct region {
	const char *name;
	size_t start, len;
};

struct idmap {
	uint32_t base, count, out_base, out_ref, flags;
	unsigned int idx;
};

static const char *iort_type_name(uint8_t t)
{
	return t < IORT_NTYPES ? iort_names[t] : "unknown";
}

static const struct iort_node *iort_find(const struct iort_node *nodes, size_t n, uint32_t off)
{
	for (size_t i = 0; i < n; i++)
		if (nodes[i].off == off)
			return &nodes[i];
	return NULL;
}

static int idmap_cmp(const void *a, const void *b)
{
	const struct idmap *x = a, *y = b;

	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Memory access properties (Table 14) at o: shared by named components and root complexes. */
static void iort_mem_props(struct acpi_ctx *c, size_t o, json_object *obj)
{
	uint32_t cca = acpi_r32(c, o);
	uint8_t hints = acpi_r8(c, o + 4), mf = acpi_r8(c, o + 7);

	acpi_put_int(obj, "cca", cca);
	acpi_put_int(obj, "allocation_hints", hints);
	acpi_put_int(obj, "memory_access_flags", mf);
	if (cca > 1)
		acpi_error_at(c, o, "cache coherent attribute %u is neither 0 nor 1", cca);
	if (hints & 0xf0)
		acpi_warn_at(c, o + 4, "allocation hints reserved bits 0x%02x set", hints & 0xf0);
	if (acpi_r16(c, o + 5))
		acpi_warn_at(c, o + 5, "memory access properties reserved field is 0x%04x, not 0",
			     acpi_r16(c, o + 5));
	if (mf & 0xf8)
		acpi_warn_at(c, o + 7, "memory access flags reserved bits 0x%02x set", mf & 0xf8);
	if (cca == 1 && !(mf & 1))
		acpi_error_at(c, o + 7, "memory access flags: CCA is 1 but CPM is 0");
	if (cca == 0 && (mf & 3) == 3)
		acpi_error_at(c, o + 7, "memory access flags: CCA is 0 but CPM and DACS are 1");
}

/* An array inside a node: inside it, and not over anything already placed. */
static bool iort_region(struct acpi_ctx *c, const struct iort_node *n, struct region *r, size_t *nr,
			const char *name, size_t field, uint64_t start, uint64_t len)
{
	if (!len)
		return false;
	if (start > n->len || len > n->len - start) {
		acpi_error_at(c, n->off + field, "%s (%" PRIu64 " bytes at node offset %" PRIu64 ") runs past the end of the %zu-byte node",
			      name, len, start, n->len);
		return false;
	}
	for (size_t i = 0; i < *nr; i++)
		if (start < r[i].start + r[i].len && r[i].start < start + len) {
			acpi_error_at(c, n->off + field, "%s at node offset %" PRIu64 " overlaps the node's %s",
				      name, start, r[i].name);
			return false;
		}
	r[(*nr)++] = (struct region){ name, (size_t)start, (size_t)len };
	return true;
}

static void iort_rc_coverage(struct acpi_ctx *c, const struct iort_node *n,
			     const struct iort_node *nodes, size_t nn, const struct idmap *m,
			     size_t nm, json_object *obj)
{
	uint32_t seg = acpi_r32(c, n->off + 28);
	json_object *cov = acpi_put_arr(obj, "pci_coverage");
	char list[MAX_LISTED_RIDS * 32] = "";
	unsigned int missing = 0;

	for (size_t i = 0; i < c->npci; i++) {
		const struct acpi_pci_fn *p = &c->pci[i];
		const struct idmap *hit = NULL;
		json_object *e;

		if (p->seg != seg)
			continue;
		for (size_t j = 0; j < nm; j++) {
			if (m[j].flags & 1) {
				if (!hit)
					hit = &m[j];
				continue;
			}
			if (p->id < m[j].base || p->id - m[j].base > m[j].count)
				continue;
			/* the end of one range may be the start of the next (off-by-one) */
			if (!hit || (hit->flags & 1) || p->id == m[j].base)
				hit = &m[j];
		}
		if (!hit) {
			char b[16];
			size_t l = strlen(list);

			acpi_fmt_bdf(b, sizeof(b), p->seg, p->id);
			if (missing < MAX_LISTED_RIDS)
				snprintf(list + l, sizeof(list) - l, "%s0x%04x (%s)",
					 missing ? ", " : "", p->id, b);
			missing++;
			continue;
		}
		e = json_object_new_object();
		acpi_put_bdf(e, "bdf", p->seg, p->id);
		acpi_put_int(e, "rid", p->id);
		acpi_put_int(e, "output_reference", hit->out_ref);
		acpi_put_str(e, "output_type",
			     iort_find(nodes, nn, hit->out_ref) ?
			     iort_type_name(iort_find(nodes, nn, hit->out_ref)->type) : "none");
		acpi_put_int(e, "output_id", (hit->flags & 1) ? hit->out_base
				       : hit->out_base + (p->id - hit->base));
		json_object_array_add(cov, e);
	}
	if (missing > MAX_LISTED_RIDS)
		acpi_error_at(c, n->off + 12, "root complex (segment %u) ID mappings do not cover requester IDs %s and %u more",
			      seg, list, missing - MAX_LISTED_RIDS);
	else if (missing)
		acpi_error_at(c, n->off + 12, "root complex (segment %u) ID mappings do not cover requester ID%s %s",
			      seg, missing > 1 ? "s" : "", list);
}

/* One node being checked: what the steps of iort_node() share. */
struct node_check {
	struct acpi_ctx *c;
	const struct iort_node *nodes, *n;   /* all the nodes; this one */
	size_t nn;
	size_t o;                            /* the node's offset in the table */
	uint8_t rev;
	uint32_t count, moff;                /* its ID mappings: number, offset */
	json_object *obj;
	struct region reg[8];                /* what is placed inside the node */
	size_t nreg;
	struct idmap *m;                     /* the mappings read (nm of them) */
	size_t nm;
	int msi_index;                       /* the MSI DeviceID mapping, -1 none */
};

/* The fixed part of a node type at this revision; 0 for a reserved type. */
static size_t node_fixed_len(uint8_t t, uint8_t rev)
{
	switch (t) {
	case IORT_ITS: return 20;
	case IORT_NC: return 30;    /* 29 + at least the name's NUL */
	case IORT_RC: return rev ? 36 : 32;
	case IORT_SMMU: return 60;
	case IORT_SMMUV3: return rev ? 68 : 60;
	case IORT_PMCG: return rev ? 40 : 32;
	case IORT_RMR: return 28;
	case IORT_IWB: return 27;
	default: return 0;
	}
}

/* ID mapping j: read into k->m[j], listed in maps and checked. */
static void id_mapping(struct node_check *k, size_t j, json_object *maps)
{
	struct acpi_ctx *c = k->c;
	size_t a = k->o + k->moff + 20 * j;
	json_object *e = json_object_new_object();
	struct idmap *m = &k->m[j];
	const struct iort_node *to;

	*m = (struct idmap){ acpi_r32(c, a), acpi_r32(c, a + 4), acpi_r32(c, a + 8),
			     acpi_r32(c, a + 12), acpi_r32(c, a + 16), (unsigned int)j };
	acpi_put_int(e, "offset", (int64_t)a);
	acpi_put_int(e, "input_base", m->base);
	acpi_put_int(e, "id_count", m->count);
	acpi_put_int(e, "output_base", m->out_base);
	acpi_put_int(e, "output_reference", m->out_ref);
	acpi_put_int(e, "flags", m->flags);
	acpi_put_bool(e, "single", m->flags & 1);
	json_object_array_add(maps, e);
	if (m->flags & ~1u)
		acpi_warn_at(c, a + 16, "ID mapping %zu: reserved flag bits 0x%x set", j, m->flags & ~1u);
	to = iort_find(k->nodes, k->nn, m->out_ref);
	if (!to)
		acpi_error_at(c, a + 12, "ID mapping %zu: output reference 0x%x points at no node", j,
			      m->out_ref);
	else if (to == k->n)
		acpi_error_at(c, a + 12, "ID mapping %zu: output reference points back at its own node", j);
	else if (to->type != IORT_ITS && to->type != IORT_SMMU && to->type != IORT_SMMUV3)
		acpi_error_at(c, a + 12, "ID mapping %zu: output reference 0x%x is a %s node, which takes no input IDs",
			      j, m->out_ref, iort_type_name(to->type));
	if (to)
		acpi_put_str(e, "output_type", iort_type_name(to->type));
	if ((m->flags & 1) && (k->n->type == IORT_SMMU || k->n->type == IORT_RMR))
		acpi_warn_at(c, a + 16, "ID mapping %zu: single-mapping flag on a %s node (Linux ignores such a mapping)",
			     j, iort_type_name(k->n->type));
	if (!(m->flags & 1) && (uint64_t)m->base + m->count > 0xffffffffull)
		acpi_error_at(c, a + 4, "ID mapping %zu: input range 0x%x + 0x%x passes 2^32", j,
			      m->base, m->count);
}

/*
 * The node's ID mapping array: placed inside the node (or, when it runs
 * over, the mappings that do fit), then each mapping read and checked.
 */
static void id_mappings(struct node_check *k, size_t fixed, json_object *maps)
{
	struct acpi_ctx *c = k->c;
	const struct iort_node *n = k->n;

	if (n->type == IORT_ITS && k->count)
		acpi_error_at(c, k->o + 8, "ITS group node has %u ID mappings; it must have none",
			      k->count);
	else if (k->count && iort_region(c, n, k->reg, &k->nreg, "ID mapping array", 12, k->moff,
					 (uint64_t)k->count * 20)) {
		k->nm = k->count;
	} else if (k->count && k->moff >= fixed && k->moff < n->len) {
		k->nm = (n->len - k->moff) / 20;      /* the mappings that do fit */
	}
	if (k->nm)
		k->m = calloc(k->nm, sizeof(*k->m));
	if (!k->m)
		k->nm = 0;
	for (size_t j = 0; j < k->nm; j++)
		id_mapping(k, j, maps);
}

/* ITS group node: its ITS identifiers. */
static void its_group(struct node_check *k)
{
	struct acpi_ctx *c = k->c;
	uint32_t its = acpi_r32(c, k->o + 16);
	json_object *ids = acpi_put_arr(k->obj, "its_ids");

	acpi_put_int(k->obj, "its_count", its);
	if (!its)
		acpi_error_at(c, k->o + 16, "ITS group lists no ITS");
	else if (iort_region(c, k->n, k->reg, &k->nreg, "ITS identifier array", 16, 20,
			     (uint64_t)its * 4))
		for (uint32_t i = 0; i < its; i++)
			json_object_array_add(ids, json_object_new_int64(acpi_r32(c, k->o + 20 + 4 * i)));
}

/* Named component node: flags, memory access properties, the object name. */
static void named_component(struct node_check *k)
{
	struct acpi_ctx *c = k->c;
	size_t o = k->o, lim = k->n->len, nul = 29;

	acpi_put_int(k->obj, "node_flags", acpi_r32(c, o + 16));
	iort_mem_props(c, o + 20, k->obj);
	acpi_put_int(k->obj, "memory_address_limit", acpi_r8(c, o + 28));
	if (k->count && k->moff > 29 && k->moff < lim)
		lim = k->moff;
	while (nul < lim && acpi_r8(c, o + nul))
		nul++;
	acpi_put_text(k->obj, "device_name", c, o + 29, nul - 29 < 63 ? nul - 29 : 63);
	if (nul == lim)
		acpi_error_at(c, o + 29, "named component object name is not NUL-terminated inside the node");
	else if (nul == 29)
		acpi_error_at(c, o + 29, "named component has an empty object name");
	if (acpi_r32(c, o + 16) & ~0x3fu)
		acpi_warn_at(c, o + 16, "named component node flags reserved bits 0x%08x set",
			     acpi_r32(c, o + 16) & ~0x3fu);
}

/* Root complex node: ATS attribute, segment, PASID; then the PCI coverage. */
static void root_complex(struct node_check *k)
{
	struct acpi_ctx *c = k->c;
	size_t o = k->o;
	uint32_t ats = acpi_r32(c, o + 24);
	json_object *obj = k->obj, *ao;

	iort_mem_props(c, o + 16, obj);
	ao = acpi_put_obj(obj, "ats_attribute");
	acpi_put_bool(ao, "ats", ats & 1);
	acpi_put_bool(ao, "pri", ats & 2);
	acpi_put_bool(ao, "pasid_forwarding", ats & 4);
	if (ats & ~7u)
		acpi_warn_at(c, o + 24, "ATS attribute reserved bits 0x%08x set", ats & ~7u);
	acpi_put_int(obj, "pci_segment", acpi_r32(c, o + 28));
	if (k->rev >= 1)
		acpi_put_int(obj, "memory_address_limit", acpi_r8(c, o + 32));
	if (k->rev >= 3) {
		acpi_put_int(obj, "pasid_capabilities", acpi_r16(c, o + 33));
		if (acpi_r16(c, o + 33) & ~0x1fu)
			acpi_warn_at(c, o + 33, "PASID capabilities reserved bits 0x%04x set",
				     acpi_r16(c, o + 33) & ~0x1fu);
	}
	if (k->rev >= 4 && k->n->len >= 40 && (!k->count || k->moff >= 40))
		acpi_put_int(obj, "flags", acpi_r32(c, o + 36));
	if (!k->count)
		acpi_error_at(c, o + 8, "root complex node has no ID mappings: no device behind it can be translated");
	if (c->have_pci)
		iort_rc_coverage(c, k->n, k->nodes, k->nn, k->m, k->nm, obj);
}

/* SMMUv1/v2 node: base, model, flags and its three interrupt arrays. */
static void smmu(struct node_check *k)
{
	struct acpi_ctx *c = k->c;
	size_t o = k->o;
	uint64_t base = acpi_r64(c, o + 16);
	uint32_t model = acpi_r32(c, o + 32), fl = acpi_r32(c, o + 36);
	uint32_t gi = acpi_r32(c, o + 40), nctx = acpi_r32(c, o + 44), ctx = acpi_r32(c, o + 48);
	uint32_t npmu = acpi_r32(c, o + 52), pmu = acpi_r32(c, o + 56);
	json_object *obj = k->obj;

	acpi_put_hex(obj, "base_address", base);
	acpi_put_hex(obj, "span", acpi_r64(c, o + 24));
	acpi_put_int(obj, "model", model);
	acpi_put_int(obj, "flags", fl);
	acpi_put_int(obj, "context_interrupt_count", nctx);
	acpi_put_int(obj, "pmu_interrupt_count", npmu);
	if (base & 0xfff)
		acpi_error_at(c, o + 16, "SMMU base address 0x%" PRIx64 " is not 4 KiB aligned", base);
	if (model > 5)
		acpi_error_at(c, o + 32, "SMMU model %u is not one the IORT specification names (0-5)",
			      model);
	if (fl & ~3u)
		acpi_warn_at(c, o + 36, "SMMU flags reserved bits 0x%08x set", fl & ~3u);
	iort_region(c, k->n, k->reg, &k->nreg, "global interrupt array", 40, gi, 16);
	iort_region(c, k->n, k->reg, &k->nreg, "context interrupt array", 48, ctx,
		    (uint64_t)nctx * 8);
	iort_region(c, k->n, k->reg, &k->nreg, "PMU interrupt array", 56, pmu, (uint64_t)npmu * 8);
}

/*
 * SMMUv3 revision 1 on: the DeviceID mapping index, which names the MSI
 * mapping; ignored when every interrupt is a GSIV (Linux
 * iort_get_id_mapping_index).
 */
static void smmuv3_msi_mapping(struct node_check *k, bool gsiv)
{
	struct acpi_ctx *c = k->c;
	uint32_t idx = acpi_r32(c, k->o + 64);

	acpi_put_int(k->obj, "proximity_domain", acpi_r32(c, k->o + 60));
	acpi_put_int(k->obj, "device_id_mapping_index", idx);
	if (gsiv)
		return;
	if (idx >= k->count)
		acpi_error_at(c, k->o + 64, "SMMUv3 DeviceID mapping index %u is beyond its %u ID mappings",
			      idx, k->count);
	else if (idx < k->nm && !(k->m[idx].flags & 1))
		acpi_error_at(c, k->o + 64, "SMMUv3 DeviceID mapping %u (for MSIs) lacks the single-mapping flag",
			      idx);
	else
		k->msi_index = (int)idx;
}

/* SMMUv3 node: base, flags, model, the four GSIVs, the MSI mapping. */
static void smmuv3(struct node_check *k)
{
	struct acpi_ctx *c = k->c;
	size_t o = k->o;
	uint64_t base = acpi_r64(c, o + 16);
	uint32_t fl = acpi_r32(c, o + 24), model = acpi_r32(c, o + 40);
	json_object *obj = k->obj, *fo;
	bool gsiv = acpi_r32(c, o + 44) && acpi_r32(c, o + 48) && acpi_r32(c, o + 52) &&
		    acpi_r32(c, o + 56);

	acpi_put_hex(obj, "base_address", base);
	fo = acpi_put_obj(obj, "flags");
	acpi_put_bool(fo, "coherent_access_override", fl & 1);
	acpi_put_int(fo, "httu_override", (fl >> 1) & 3);
	acpi_put_bool(fo, "proximity_domain_valid", fl & 8);
	acpi_put_bool(fo, "device_id_valid", fl & 16);
	acpi_put_hex(obj, "vatos_address", acpi_r64(c, o + 32));
	acpi_put_int(obj, "model", model);
	acpi_put_int(obj, "event_gsiv", acpi_r32(c, o + 44));
	acpi_put_int(obj, "pri_gsiv", acpi_r32(c, o + 48));
	acpi_put_int(obj, "gerr_gsiv", acpi_r32(c, o + 52));
	acpi_put_int(obj, "sync_gsiv", acpi_r32(c, o + 56));
	if (!base)
		acpi_error_at(c, o + 16, "SMMUv3 base address is 0");
	else if (base & 0xffff)
		acpi_error_at(c, o + 16, "SMMUv3 base address 0x%" PRIx64 " is not 64 KiB aligned", base);
	if (fl & ~0x1fu)
		acpi_warn_at(c, o + 24, "SMMUv3 flags reserved bits 0x%08x set", fl & ~0x1fu);
	if (acpi_r32(c, o + 28))
		acpi_warn_at(c, o + 28, "SMMUv3 reserved field is 0x%08x, not 0", acpi_r32(c, o + 28));
	if (model > 2)
		acpi_error_at(c, o + 40, "SMMUv3 model %u is not one the IORT specification names (0-2)",
			      model);
	if (k->rev >= 1)
		smmuv3_msi_mapping(k, gsiv);
}

/* PMCG node: page bases, overflow GSIV, the node it counts for. */
static void pmcg(struct node_check *k)
{
	struct acpi_ctx *c = k->c;
	size_t o = k->o;
	uint32_t ref = acpi_r32(c, o + 28);

	acpi_put_hex(k->obj, "page0_base_address", acpi_r64(c, o + 16));
	acpi_put_int(k->obj, "overflow_gsiv", acpi_r32(c, o + 24));
	acpi_put_int(k->obj, "node_reference", ref);
	if (k->rev >= 1)
		acpi_put_hex(k->obj, "page1_base_address", acpi_r64(c, o + 32));
	if (ref && !iort_find(k->nodes, k->nn, ref))
		acpi_error_at(c, o + 28, "PMCG node reference 0x%x points at no node", ref);
	if (!acpi_r32(c, o + 24) && k->nm)
		k->msi_index = 0;
}

/* RMR node: flags and its memory range descriptors. */
static void rmr(struct node_check *k)
{
	struct acpi_ctx *c = k->c;
	size_t o = k->o;
	uint32_t fl = acpi_r32(c, o + 16), nd = acpi_r32(c, o + 20), doff = acpi_r32(c, o + 24);
	json_object *ds = acpi_put_arr(k->obj, "memory_ranges");

	acpi_put_int(k->obj, "flags", fl);
	acpi_put_int(k->obj, "range_count", nd);
	if (fl & ~0x3ffu)
		acpi_warn_at(c, o + 16, "RMR flags reserved bits 0x%08x set", fl & ~0x3ffu);
	if (!nd) {
		acpi_error_at(c, o + 20, "RMR node has no memory range descriptor");
		return;
	}
	if (!iort_region(c, k->n, k->reg, &k->nreg, "memory range descriptor array", 24, doff,
			 (uint64_t)nd * 20))
		return;
	for (uint32_t i = 0; i < nd; i++) {
		size_t a = o + doff + 20 * i;
		uint64_t base = acpi_r64(c, a), len = acpi_r64(c, a + 8);
		json_object *d = json_object_new_object();

		acpi_put_int(d, "offset", (int64_t)a);
		acpi_put_hex(d, "base_address", base);
		acpi_put_hex(d, "length", len);
		json_object_array_add(ds, d);
		if (!len)
			acpi_error_at(c, a + 8, "RMR range %u has length 0", i);
		else if ((base | len) & 0xffff)
			acpi_warn_at(c, a, "RMR range %u (0x%" PRIx64 "+0x%" PRIx64 ") is not 64 KiB aligned",
				     i, base, len);
		if (acpi_r32(c, a + 16))
			acpi_warn_at(c, a + 16, "RMR range %u reserved field is not 0", i);
	}
}

/* IWB: base, index, the object name. */
static void iwb(struct node_check *k)
{
	struct acpi_ctx *c = k->c;
	size_t o = k->o, nul = 26;

	acpi_put_hex(k->obj, "base_address", acpi_r64(c, o + 16));
	acpi_put_int(k->obj, "iwb_index", acpi_r16(c, o + 24));
	while (nul < k->n->len && acpi_r8(c, o + nul))
		nul++;
	acpi_put_text(k->obj, "device_name", c, o + 26, nul - 26 < 63 ? nul - 26 : 63);
	if (nul == k->n->len)
		acpi_error_at(c, o + 26, "IWB object name is not NUL-terminated inside the node");
}

/* Overlapping input ranges (the MSI DeviceID mapping and single mappings aside). */
static void id_overlaps(struct node_check *k)
{
	struct idmap *s = calloc(k->nm, sizeof(*s));
	size_t ns = 0;

	for (size_t j = 0; s && j < k->nm; j++)
		if (!(k->m[j].flags & 1) && (int)j != k->msi_index)
			s[ns++] = k->m[j];
	if (ns > 1) {
		const struct idmap *top;
		uint64_t top_end;

		qsort(s, ns, sizeof(*s), idmap_cmp);
		top = &s[0];
		top_end = (uint64_t)s[0].base + s[0].count;
		for (size_t j = 1; j < ns; j++) {
			uint64_t end = (uint64_t)s[j].base + s[j].count;
			size_t at = k->o + k->moff + 20 * s[j].idx;

			if (s[j].base == top_end && top->count)
				acpi_warn_at(k->c, at,
					     "ID mappings %u and %u overlap at input ID 0x%x only: id_count is read as a count, not the count minus one (Linux works around this)",
					     top->idx, s[j].idx, s[j].base);
			else if (s[j].base < top_end || (s[j].base == top_end && !top->count))
				acpi_error_at(k->c, at,
					      "ID mappings %u and %u overlap: input IDs 0x%x-0x%" PRIx64 " and 0x%x-0x%" PRIx64,
					      top->idx, s[j].idx, top->base, top_end, s[j].base, end);
			if (end > top_end) {
				top = &s[j];
				top_end = end;
			}
		}
	}
	free(s);
}

/* Node k: the header, the ID mappings, its type's fields, the overlaps. */
static void iort_node(struct acpi_ctx *c, const struct iort_node *nodes, size_t nn, size_t i)
{
	const struct iort_node *n = &nodes[i];
	struct node_check k = {
		.c = c, .nodes = nodes, .n = n, .nn = nn, .o = n->off,
		.rev = acpi_r8(c, n->off + 3), .count = acpi_r32(c, n->off + 8),
		.moff = acpi_r32(c, n->off + 12), .obj = n->obj, .msi_index = -1,
	};
	const char *name = iort_type_name(n->type);
	size_t fixed = node_fixed_len(n->type, k.rev);
	json_object *maps;

	acpi_put_str(k.obj, "type", name);
	acpi_put_int(k.obj, "type_id", n->type);
	acpi_put_int(k.obj, "offset", (int64_t)k.o);
	acpi_put_int(k.obj, "length", (int64_t)n->len);
	acpi_put_int(k.obj, "revision", k.rev);
	acpi_put_int(k.obj, "identifier", acpi_r32(c, k.o + 4));
	acpi_put_int(k.obj, "mapping_count", k.count);
	acpi_put_int(k.obj, "mapping_offset", k.moff);
	maps = acpi_put_arr(k.obj, "id_mappings");
	if (!fixed) {
		acpi_error_at(c, k.o, "node type %u is reserved", n->type);
		return;
	}
	if (k.rev > iort_max_rev[n->type])
		acpi_warn_at(c, k.o + 3, "%s node revision %u is newer than the revisions this parser knows (up to %u)",
			     name, k.rev, iort_max_rev[n->type]);
	if (n->len < fixed) {
		acpi_error_at(c, k.o + 1, "%s node length %zu is smaller than its %zu-byte minimum (revision %u)",
			      name, n->len, fixed, k.rev);
		return;
	}
	if (n->type == IORT_NC)
		fixed = 29;
	k.reg[k.nreg++] = (struct region){ "fixed fields", 0, fixed };

	id_mappings(&k, fixed, maps);
	switch (n->type) {
	case IORT_ITS: its_group(&k); break;
	case IORT_NC: named_component(&k); break;
	case IORT_RC: root_complex(&k); break;
	case IORT_SMMU: smmu(&k); break;
	case IORT_SMMUV3: smmuv3(&k); break;
	case IORT_PMCG: pmcg(&k); break;
	case IORT_RMR: rmr(&k); break;
	case IORT_IWB: iwb(&k); break;
	}
	if (k.nm > 1)
		id_overlaps(&k);
	free(k.m);
}

/* The count nodes from noff: each one's offset, length and type into nodes; how many fit. */
static size_t walk_nodes(struct acpi_ctx *c, uint32_t count, uint32_t noff,
			 struct iort_node *nodes)
{
	size_t nn = 0, off = noff;

	for (uint32_t i = 0; i < count; i++) {
		size_t left = c->len - off, nlen;

		if (off >= c->len) {
			acpi_error_at(c, 36, "node count is %u, but the table ends after %u nodes", count, i);
			break;
		}
		if (left < 16) {
			acpi_error_at(c, off, "%zu byte(s) left, too few for node %u's 16-byte header", left, i);
			break;
		}
		nlen = acpi_r16(c, off + 1);
		if (nlen < 16) {
			acpi_error_at(c, off + 1, "node length %zu is smaller than the 16-byte node header: the rest of the table cannot be walked",
				      nlen);
			break;
		}
		if (nlen > left) {
			acpi_error_at(c, off + 1, "node length %zu runs past the end of the table (%zu bytes left)",
				      nlen, left);
			nodes[nn++] = (struct iort_node){ off, left, acpi_r8(c, off), NULL };
			off = c->len;
			break;
		}
		nodes[nn++] = (struct iort_node){ off, nlen, acpi_r8(c, off), NULL };
		off += nlen;
	}
	if (nn == count && off < c->len)
		acpi_warn_at(c, off, "%zu byte(s) after the last of the %u nodes", c->len - off, count);
	return nn;
}

/* Every PCI segment of the machine needs a root complex. */
static void segment_coverage(struct acpi_ctx *c, const struct iort_node *nodes, size_t nn)
{
	for (size_t i = 0; c->have_pci && i < c->npci; i++) {
		bool seen = false, dup = false;

		for (size_t j = 0; j < i && !dup; j++)
			dup = c->pci[j].seg == c->pci[i].seg;
		for (size_t j = 0; j < nn && !seen && !dup; j++)
			seen = nodes[j].type == IORT_RC &&
			       acpi_r32(c, nodes[j].off + 28) == c->pci[i].seg && nodes[j].len >= 32;
		if (!seen && !dup) {
			char b[16];

			acpi_fmt_bdf(b, sizeof(b), c->pci[i].seg, c->pci[i].id);
			acpi_error_at(c, 36, "no root complex node for PCI segment %u (device %s)",
				      c->pci[i].seg, b);
		}
	}
}

void acpi_iort(struct acpi_ctx *c)
{
	uint32_t count, noff;
	struct iort_node *nodes = NULL;
	size_t nn;
	json_object *arr;

	if (c->len < 48) {
		acpi_error_at(c, c->len, "IORT ends after %zu bytes, inside its 48-byte header", c->len);
		return;
	}
	count = acpi_r32(c, 36);
	noff = acpi_r32(c, 40);
	acpi_put_int(c->out, "node_count", count);
	acpi_put_int(c->out, "node_offset", noff);
	if (acpi_r32(c, 44))
		acpi_warn_at(c, 44, "reserved field is 0x%08x, not 0", acpi_r32(c, 44));
	arr = acpi_put_arr(c->out, "nodes");
	if (!count) {
		acpi_warn_at(c, 36, "IORT has no nodes");
		return;
	}
	if (noff < 48) {
		acpi_error_at(c, 40, "node array offset %u points into the 48-byte IORT header", noff);
		return;
	}
	if (noff >= c->len) {
		acpi_error_at(c, 40, "node array offset %u is outside the %zu-byte table", noff, c->len);
		return;
	}
	nodes = calloc(c->len / 16 + 1, sizeof(*nodes));
	if (!nodes)
		return;
	nn = walk_nodes(c, count, noff, nodes);
	for (size_t i = 0; i < nn; i++) {
		nodes[i].obj = json_object_new_object();
		json_object_array_add(arr, nodes[i].obj);
	}
	for (size_t i = 0; i < nn; i++)
		iort_node(c, nodes, nn, i);
	segment_coverage(c, nodes, nn);
	free(nodes);
}
