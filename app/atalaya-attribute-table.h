/* atalaya-attribute-table.h: the features of a layer as a table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "gis.h"

G_BEGIN_DECLS

#define ATALAYA_TYPE_ATTRIBUTE_TABLE (atalaya_attribute_table_get_type ())

G_DECLARE_FINAL_TYPE (AtalayaAttributeTable, atalaya_attribute_table, ATALAYA, ATTRIBUTE_TABLE, GtkWidget)

GtkWidget       *atalaya_attribute_table_new                (void);
void             atalaya_attribute_table_set_layer          (AtalayaAttributeTable *self,
                                                             const char            *store_path,
                                                             GisLayer              *layer);
GisLayer        *atalaya_attribute_table_get_layer          (AtalayaAttributeTable *self);
GisFeatureModel *atalaya_attribute_table_get_model          (AtalayaAttributeTable *self);
void             atalaya_attribute_table_reload             (AtalayaAttributeTable *self);
void             atalaya_attribute_table_select_fids        (AtalayaAttributeTable *self,
                                                             const gint64          *fids,
                                                             gsize                  n_fids);
gint64          *atalaya_attribute_table_get_selected_fids  (AtalayaAttributeTable *self,
                                                             gsize                 *n_fids);
gsize            atalaya_attribute_table_get_n_selected     (AtalayaAttributeTable *self);

G_END_DECLS
