/* gis-composition.h: a map page for print and export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "gis-crs.h"
#include "gis-extent.h"
#include "gis-types.h"
#include "gis-viewport.h"

G_BEGIN_DECLS

/**
 * GisPageSize:
 * @GIS_PAGE_LETTER: US Letter, 8.5 × 11 in
 * @GIS_PAGE_LEGAL: US Legal, 8.5 × 14 in
 * @GIS_PAGE_TABLOID: Tabloid (ANSI B), 11 × 17 in
 * @GIS_PAGE_A4: ISO A4, 210 × 297 mm
 * @GIS_PAGE_A3: ISO A3, 297 × 420 mm
 *
 * The paper sizes of a composition, in portrait.
 */
typedef enum
{
  GIS_PAGE_LETTER,
  GIS_PAGE_LEGAL,
  GIS_PAGE_TABLOID,
  GIS_PAGE_A4,
  GIS_PAGE_A3,
} GisPageSize;

/**
 * GisLanguage:
 * @GIS_LANGUAGE_EN: English
 * @GIS_LANGUAGE_FR: French
 * @GIS_LANGUAGE_ES: Spanish
 * @GIS_N_LANGUAGES: the number of languages
 *
 * The language of an export's text, independent of the interface's.
 */
typedef enum
{
  GIS_LANGUAGE_EN,
  GIS_LANGUAGE_FR,
  GIS_LANGUAGE_ES,
  GIS_N_LANGUAGES
} GisLanguage;

/**
 * GisComposeFormat:
 * @GIS_COMPOSE_PDF: PDF, vectors and text; an atlas is one multi-page file
 * @GIS_COMPOSE_SVG: SVG, vectors and text elements; an atlas writes one
 *   numbered file per page
 * @GIS_COMPOSE_PNG: PNG at a resolution; an atlas writes one numbered file
 *   per page
 */
typedef enum
{
  GIS_COMPOSE_PDF,
  GIS_COMPOSE_SVG,
  GIS_COMPOSE_PNG,
} GisComposeFormat;

const char *gis_page_size_to_string     (GisPageSize      size);
gboolean    gis_page_size_from_string   (const char      *str,
                                         GisPageSize     *out_size);
void        gis_page_size_get_pt        (GisPageSize      size,
                                         double          *out_width_pt,
                                         double          *out_height_pt);
const char *gis_language_to_string      (GisLanguage      language);
gboolean    gis_language_from_string    (const char      *str,
                                         GisLanguage     *out_language);
gboolean    gis_compose_format_for_path  (const char      *path,
                                         GisComposeFormat *out_format);

#define GIS_TYPE_COMPOSITION (gis_composition_get_type ())

G_DECLARE_FINAL_TYPE (GisComposition, gis_composition, GIS, COMPOSITION, GObject)

/**
 * GisCompositionPageFunc:
 * @cr: where to draw: the page's user space, in points, origin at the
 *   top-left corner, its white paper already laid
 * @width_pt: the page's width
 * @height_pt: its height
 * @margin_pt: its blank border
 * @language: the language of the export
 * @svg_text: (nullable): where the page's text goes, as SVG text elements
 *   in @cr's device space, instead of onto @cr
 * @cancellable: (nullable): the export's
 * @user_data: the closure given to gis_composition_add_page()
 * @error: return location for an error
 *
 * Draws a page of its own after the map pages (charts, tables), on the
 * thread that exports.
 *
 * Returns: whether the page was drawn
 */
typedef gboolean (*GisCompositionPageFunc) (cairo_t       *cr,
                                            double         width_pt,
                                            double         height_pt,
                                            double         margin_pt,
                                            GisLanguage    language,
                                            GString       *svg_text,
                                            GCancellable  *cancellable,
                                            gpointer       user_data,
                                            GError       **error);

GisComposition *gis_composition_new            (const char        *store_path);

void            gis_composition_set_page       (GisComposition    *self,
                                                GisPageSize        size,
                                                gboolean           landscape);
void            gis_composition_get_page_pt    (GisComposition    *self,
                                                double            *out_width_pt,
                                                double            *out_height_pt);
void            gis_composition_set_margin_mm  (GisComposition    *self,
                                                double             margin_mm);
void            gis_composition_set_title      (GisComposition    *self,
                                                const char        *title);
void            gis_composition_set_subtitle   (GisComposition    *self,
                                                const char        *subtitle);
void            gis_composition_set_language   (GisComposition    *self,
                                                GisLanguage        language);
void            gis_composition_set_crs        (GisComposition    *self,
                                                GisCrs            *crs);
void            gis_composition_set_extent     (GisComposition    *self,
                                                const GisExtent   *lonlat_extent);
void            gis_composition_set_map_extent (GisComposition    *self,
                                                GisCrs            *crs,
                                                const GisExtent   *map_extent);
void            gis_composition_set_feature    (GisComposition    *self,
                                                const char        *layer,
                                                const char        *field,
                                                const char        *value);
void            gis_composition_set_layers     (GisComposition    *self,
                                                const char *const *names);
void            gis_composition_set_atlas      (GisComposition    *self,
                                                const char        *layer,
                                                const char        *title_field);
void            gis_composition_set_locator    (GisComposition    *self,
                                                gboolean           locator);
void            gis_composition_set_date       (GisComposition    *self,
                                                GDateTime         *date);
void            gis_composition_add_page       (GisComposition    *self,
                                                const char        *title,
                                                GisCompositionPageFunc func,
                                                gpointer           user_data,
                                                GDestroyNotify     destroy);

gboolean        gis_composition_load           (GisComposition    *self,
                                                GCancellable      *cancellable,
                                                GisProgressFunc    progress,
                                                gpointer           progress_data,
                                                GError           **error);
guint           gis_composition_get_n_pages    (GisComposition    *self);
char           *gis_composition_dup_page_title (GisComposition    *self,
                                                guint              page);
gboolean        gis_composition_draw_page      (GisComposition    *self,
                                                cairo_t           *cr,
                                                guint              page,
                                                gboolean           vector_output,
                                                GCancellable      *cancellable,
                                                GError           **error);
gboolean        gis_composition_get_map_frame  (GisComposition    *self,
                                                guint              page,
                                                double            *out_x_pt,
                                                double            *out_y_pt,
                                                GisViewState      *out_view,
                                                GError           **error);
GPtrArray      *gis_composition_export         (GisComposition    *self,
                                                const char        *path,
                                                GisComposeFormat    format,
                                                double             dpi,
                                                GCancellable      *cancellable,
                                                GisProgressFunc    progress,
                                                gpointer           progress_data,
                                                GError           **error);
void            gis_composition_export_async   (GisComposition    *self,
                                                const char        *path,
                                                GisComposeFormat    format,
                                                double             dpi,
                                                GCancellable      *cancellable,
                                                GisProgressFunc    progress,
                                                gpointer           progress_data,
                                                GAsyncReadyCallback callback,
                                                gpointer           user_data);
GPtrArray      *gis_composition_export_finish  (GisComposition    *self,
                                                GAsyncResult      *result,
                                                GError           **error);

G_END_DECLS
