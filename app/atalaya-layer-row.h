/* atalaya-layer-row.h: one layer in the layer list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "gis.h"

G_BEGIN_DECLS

#define ATALAYA_TYPE_LAYER_ROW (atalaya_layer_row_get_type ())

G_DECLARE_FINAL_TYPE (AtalayaLayerRow, atalaya_layer_row, ATALAYA, LAYER_ROW, GtkWidget)

GtkWidget *atalaya_layer_row_new       (void);
GisLayer  *atalaya_layer_row_get_layer (AtalayaLayerRow *self);
void       atalaya_layer_row_set_layer (AtalayaLayerRow *self,
                                        GisLayer        *layer);

G_END_DECLS
