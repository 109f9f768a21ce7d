/* SPDX-License-Identifier: MIT */
#ifndef LAB_FAULT_H
#define LAB_FAULT_H

/*
 * IOMMU fault records from kernel log text: Intel VT-d (DMA remapping,
 * interrupt remapping, scalable mode, fault status, invalidation errors),
 * AMD-Vi (every event type iommu_print_event() prints, completion-wait and
 * event-log overflow), Arm SMMUv3 (raw four-dword event records, the
 * decoded lines of ~6.15, EVTQ overflow, global errors, CMDQ errors), Arm
 * SMMUv2 (context faults) and virtio-iommu (the driver's "page/domain/unknown
 * fault from EP" lines). Identical records are folded (count), rate-limit
 * lines ("callbacks suppressed") add to the counts of the family they belong
 * to, and each record carries its meaning and a likely cause with the
 * evidence for it ("unknown" when the log does not support one).
 *
 * The record is the one results/README.md describes ("A fault record"):
 * iommu, event, code, device, stream_id, address (hex string), access,
 * count, lines, meaning, likely_cause, plus
 * "evidence" (array of strings), "decoded" (family-specific fields: PASID,
 * flags and their names, SSID, class, stage, FSR/FSYNR0 bits, raw dwords,
 * DTE dump, the reason as printed and how it was read, ...), and when known
 * "first_seen" (seconds since boot), "suppressed" (the part of count that
 * comes from "callbacks suppressed" lines: an upper bound) and
 * "lines_omitted" (occurrences past the first LAB_FAULT_MAX_LINES).
 * code: Intel fault reason (FAULT_STATUS: the status register bits,
 * INV_QUEUE_ERROR: the IQE reason), AMD event type, SMMUv3 event id (CMDQ_ERROR:
 * the CERROR field, GERROR: the active bits), SMMUv2 FSR, virtio-iommu fault
 * reason (VIRTIO_IOMMU_FAULT_R_*); stream_id: the SMMU StreamID, or the
 * virtio-iommu endpoint ID; null when the log
 * does not show it. Events without a device (status, overflow, command
 * queue) have device null. Intel prints no PCI segment: its devices read
 * 0000 with decoded.segment_known false.
 *
 * The parser takes records one at a time, so it works the same on a pasted
 * log (lab_klog) and on message text captured from a guest's /dev/kmsg
 * (records with no prefix). Memory is bounded: at most LAB_FAULT_MAX_RECORDS
 * distinct records are kept with their address; past that, records are
 * folded without their address, then without their device.
 */

#include <stdio.h>

#include <json.h>

#include "error.h"
#include "klog.h"

#define LAB_FAULT_MAX_RECORDS 4096	/* distinct records kept exactly */
#define LAB_FAULT_MAX_LINES 32		/* line numbers kept per record */

struct lab_fault_parser;

struct lab_fault_parser *lab_fault_parser_new(struct lab_error *err);
/*
 * Feed one record: text and line number; timestamp and prefix when known. A
 * record with no prefix right after a prefixed one may be taken as the rest
 * of a line a mail client wrapped; bare text throughout is never joined.
 */
int lab_fault_parser_feed(struct lab_fault_parser *p, const struct lab_klog_record *rec,
			  struct lab_error *err);
/*
 * Flush what is pending and return {"faults": [...], "summary": {...}}
 * (a new reference the caller owns). After it, only lab_fault_parser_free().
 */
json_object *lab_fault_parser_finish(struct lab_fault_parser *p, struct lab_error *err);
void lab_fault_parser_free(struct lab_fault_parser *p);

/* Convenience: read a whole log and return lab_fault_parser_finish()'s object. */
json_object *lab_fault_parse_file(FILE *f, struct lab_error *err);
json_object *lab_fault_parse_buffer(const void *buf, size_t len, struct lab_error *err);

#endif
