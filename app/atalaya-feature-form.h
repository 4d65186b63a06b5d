/* atalaya-feature-form.h: edit one feature's attributes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "gis.h"

G_BEGIN_DECLS

#define ATALAYA_TYPE_FEATURE_FORM (atalaya_feature_form_get_type ())

G_DECLARE_FINAL_TYPE (AtalayaFeatureForm, atalaya_feature_form, ATALAYA, FEATURE_FORM, GtkWidget)

GtkWidget *atalaya_feature_form_new         (GisEditor          *editor);
GisEditor *atalaya_feature_form_get_editor  (AtalayaFeatureForm *self);
void       atalaya_feature_form_set_feature (AtalayaFeatureForm *self,
                                             GisLayer           *layer,
                                             gint64              fid);
GisLayer  *atalaya_feature_form_get_layer   (AtalayaFeatureForm *self);
gint64     atalaya_feature_form_get_fid     (AtalayaFeatureForm *self);
gboolean   atalaya_feature_form_get_modified (AtalayaFeatureForm *self);

G_END_DECLS
