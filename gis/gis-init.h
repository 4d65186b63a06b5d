/* gis-init.h: process-wide set-up of the GIS libraries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void gis_init     (void);
void gis_shutdown (void);

G_END_DECLS
