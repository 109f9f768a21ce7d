/* SPDX-License-Identifier: MIT */
#ifndef LAB_PATHS_H
#define LAB_PATHS_H

/*
 * Where the lab finds its data. The root is the checkout the command was
 * built in (build/iommu-lab -> ..), or $LAB_ROOT. Each folder can be moved
 * with its own variable: $LAB_IMAGES, $LAB_PLATFORMS, $LAB_RESULTS.
 * Returned strings are owned by this module and live until exit.
 */
const char *lab_paths_root(void);
const char *lab_paths_images(void);     /* images/cache */
const char *lab_paths_platforms(void);  /* guests/platforms */
const char *lab_paths_results(void);    /* results */

#endif
