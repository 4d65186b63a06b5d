/* atalaya-style-editor.h: the style dialog of a layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "gis.h"

G_BEGIN_DECLS

#define ATALAYA_TYPE_STYLE_EDITOR (atalaya_style_editor_get_type ())

G_DECLARE_FINAL_TYPE (AtalayaStyleEditor, atalaya_style_editor, ATALAYA, STYLE_EDITOR, AdwWindow)

AtalayaStyleEditor *atalaya_style_editor_new       (GtkWindow          *parent,
                                                    GisStore           *store,
                                                    GisLayer           *layer,
                                                    GisStyle           *style);
GisStyle           *atalaya_style_editor_get_style (AtalayaStyleEditor *self);

G_END_DECLS
