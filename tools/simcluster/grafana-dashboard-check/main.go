// Command grafana-dashboard-check checks Grafana dashboard JSON files against Grafana's dashboard schema as the Grafana
// Foundation SDK (github.com/grafana/grafana-foundation-sdk/go, generated from Grafana's CUE schemas; version pinned
// in go.mod) has it:
//
//   - the SDK's strict decoder rejects unknown fields, values of the wrong JSON type and missing required fields at
//     every level, including each panel's options by panel type and each target by datasource type; a panel's
//     fieldConfig, which the SDK's panel decoder reads loosely, goes through the SDK's strict FieldConfigSource
//     decoder as well;
//   - the SDK's Validate checks the schema's constraints (grid positions, ranges);
//   - closed enums: a value of a named type of the SDK that has typed constants (the SDK generates an open enum such
//     as TimeZone with untyped constants) must be one of them. Enums and unit ids are read from the SDK's Go source,
//     the module directory given with -sdk;
//   - units: a field's unit (fieldConfig defaults and overrides) must be a unit id of the SDK's units package or one
//     of the custom forms the schema's FieldConfig.unit documents (`suffix:`, `prefix:`, `time:`, `si:`, `count:`,
//     `currency:`); Grafana shows any other id verbatim after the value;
//   - a panel type or datasource type the SDK has no schema for would be decoded into a loose bag without any check,
//     so it is reported too.
//
// Usage: grafana-dashboard-check -sdk <module dir> <dashboard.json>...
// Prints `<file>: ok (<summary>)` or one `<file>: <path>: <problem>` line per problem (sorted); exits 1 when any file
// has a problem, 2 on usage or I/O errors.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

const sdkModule = "github.com/grafana/grafana-foundation-sdk/go"

func main() {
	sdkDir := flag.String("sdk", "", "the directory of module "+sdkModule+" (its Go source has the enum constants and unit ids)")
	flag.Parse()
	if *sdkDir == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: grafana-dashboard-check -sdk <module dir> <dashboard.json>...")
		os.Exit(2)
	}
	if v := sdkVersion(); v != "" && !strings.HasSuffix(filepath.Clean(*sdkDir), "@"+v) {
		fmt.Fprintf(os.Stderr, "-sdk %s is not the module directory of %s@%s, which this binary is built with\n", *sdkDir, sdkModule, v)
		os.Exit(2)
	}
	enums, units, err := readSDK(*sdkDir)
	if err != nil || len(enums) == 0 || len(units) == 0 {
		fmt.Fprintf(os.Stderr, "reading the SDK's enums and units from %s: %v (%d enums, %d units)\n", *sdkDir, err, len(enums), len(units))
		os.Exit(2)
	}
	plugins.RegisterDefaultPlugins()
	failed := false
	for _, file := range flag.Args() {
		raw, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		summary, problems := check(raw, enums, units)
		if len(problems) == 0 {
			fmt.Printf("%s: ok (%s)\n", file, summary)
			continue
		}
		failed = true
		for _, p := range problems {
			fmt.Printf("%s: %s\n", file, p)
		}
	}
	if failed {
		os.Exit(1)
	}
}

// sdkVersion is the version of the SDK this binary is built with.
func sdkVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Path == sdkModule {
				return d.Version
			}
		}
	}
	return ""
}

// check returns a summary of what was decoded, and the problems found (none when the dashboard is valid).
//
// The SDK's strict decoders report problems correctly but drop a decoded value whenever a nested strict decoder
// returns its empty error list (a non-nil error: panels, options and targets go missing from the result), so
// Validate, the enum check and the summary run on the SDK's regular (loose) decoding of the same JSON.
func check(raw []byte, enums map[string]map[string]bool, units map[string]bool) (string, []string) {
	var problems []string
	var strict dashboard.Dashboard
	if err := strict.UnmarshalJSONStrict(raw); err != nil {
		problems = append(problems, lines(err)...)
	}
	problems = append(problems, strictFieldConfigs(raw)...)
	var d dashboard.Dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		problems = append(problems, "decoding: "+err.Error())
		sort.Strings(problems)
		return "", problems
	}
	if err := d.Validate(); err != nil {
		problems = append(problems, lines(err)...)
	}
	problems = append(problems, enumProblems("", reflect.ValueOf(d), enums)...)
	kinds := map[string]int{}
	for i, p := range d.Panels {
		if p.Panel == nil {
			kinds["row"]++
			continue
		}
		kinds["panel "+p.Panel.Type]++
		problems = append(problems, unitProblems(fmt.Sprintf("panels[%d].fieldConfig", i), p.Panel.FieldConfig, units)...)
		if cfg, found := cog.ConfigForPanelcfgVariant(p.Panel.Type); !found || cfg.StrictOptionsUnmarshaler == nil {
			problems = append(problems, fmt.Sprintf("panels[%d].type: the SDK has no schema for panel type %q", i, p.Panel.Type))
		}
		for j, t := range p.Panel.Targets {
			kinds["target "+t.DataqueryType()]++
			if t.DataqueryType() == "unknown" {
				problems = append(problems, fmt.Sprintf("panels[%d].targets[%d]: the SDK has no schema for this target's datasource type", i, j))
			}
		}
	}
	for _, v := range d.Templating.List {
		kinds["variable "+string(v.Type)]++
	}
	sort.Strings(problems)
	return summarize(kinds), problems
}

// strictFieldConfigs decodes every panel's fieldConfig with the SDK's strict FieldConfigSource decoder.
func strictFieldConfigs(raw []byte) []string {
	var doc struct {
		Panels []struct {
			FieldConfig json.RawMessage `json:"fieldConfig"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil // the strict decoder reported it
	}
	var problems []string
	for i, p := range doc.Panels {
		if len(p.FieldConfig) == 0 || string(p.FieldConfig) == "null" {
			continue
		}
		var fc dashboard.FieldConfigSource
		if err := fc.UnmarshalJSONStrict(p.FieldConfig); err != nil {
			for _, l := range lines(err) {
				problems = append(problems, fmt.Sprintf("panels[%d].fieldConfig.%s", i, l))
			}
		}
	}
	return problems
}

// readSDK reads the SDK's Go source: the closed enums (for every named type with typed constants, the values of those
// constants, keyed by "<package path>.<type name>") and the unit ids (the constants of package units).
func readSDK(dir string) (map[string]map[string]bool, map[string]bool, error) {
	enums := map[string]map[string]bool{}
	units := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		rel, err := filepath.Rel(dir, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg := sdkModule
		if rel != "." {
			pkg += "/" + filepath.ToSlash(rel)
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				typ, typed := vs.Type.(*ast.Ident)
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					switch {
					case !ok:
					case typed:
						key := pkg + "." + typ.Name
						if enums[key] == nil {
							enums[key] = map[string]bool{}
						}
						enums[key][literal(lit)] = true
					case pkg == sdkModule+"/units" && lit.Kind == token.STRING:
						units[literal(lit)] = true
					}
				}
			}
		}
		return nil
	})
	return enums, units, err
}

// customUnit: the custom unit forms the schema documents on FieldConfig.unit.
var customUnit = regexp.MustCompile(`^(suffix|prefix|time|si|count|currency):.`)

// unitProblems checks the unit of a panel's field defaults and of its overrides.
func unitProblems(path string, fc *dashboard.FieldConfigSource, units map[string]bool) []string {
	if fc == nil {
		return nil
	}
	var out []string
	check := func(at string, unit string) {
		if !units[unit] && !customUnit.MatchString(unit) {
			out = append(out, fmt.Sprintf("%s: %q is neither a unit id of the SDK's units package nor a custom unit (suffix:, prefix:, time:, si:, count:, currency:)", at, unit))
		}
	}
	if fc.Defaults.Unit != nil {
		check(path+".defaults.unit", *fc.Defaults.Unit)
	}
	for i, o := range fc.Overrides {
		for j, p := range o.Properties {
			if unit, ok := p.Value.(string); ok && p.Id == "unit" {
				check(fmt.Sprintf("%s.overrides[%d].properties[%d].value", path, i, j), unit)
			}
		}
	}
	return out
}

func literal(lit *ast.BasicLit) string {
	if lit.Kind == token.STRING {
		if s, err := strconv.Unquote(lit.Value); err == nil {
			return s
		}
	}
	return lit.Value
}

// enumProblems walks a decoded value and reports every closed-enum value that is not one of its constants. An empty
// string is left to the decoder (a missing required field).
func enumProblems(path string, v reflect.Value, enums map[string]map[string]bool) []string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return enumProblems(path, v.Elem(), enums)
	case reflect.Struct:
		var out []string
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			child := path
			if name != f.Name { // a union's member (PanelOrRowPanel.Panel) is no JSON field of its own
				child = join(path, name)
			}
			out = append(out, enumProblems(child, v.Field(i), enums)...)
		}
		return out
	case reflect.Slice, reflect.Array:
		var out []string
		for i := 0; i < v.Len(); i++ {
			out = append(out, enumProblems(fmt.Sprintf("%s[%d]", path, i), v.Index(i), enums)...)
		}
		return out
	case reflect.Map:
		var out []string
		for _, k := range v.MapKeys() {
			out = append(out, enumProblems(join(path, fmt.Sprint(k.Interface())), v.MapIndex(k), enums)...)
		}
		return out
	}
	allowed := enums[v.Type().PkgPath()+"."+v.Type().Name()]
	if allowed == nil {
		return nil
	}
	var value string
	switch v.Kind() {
	case reflect.String:
		if value = v.String(); value == "" {
			return nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		value = strconv.FormatInt(v.Int(), 10)
	default:
		return nil
	}
	if allowed[value] {
		return nil
	}
	values := make([]string, 0, len(allowed))
	for a := range allowed {
		values = append(values, strconv.Quote(a))
	}
	sort.Strings(values)
	return []string{fmt.Sprintf("%s: %q is not one of %s (%s)", path, value, strings.Join(values, ", "), v.Type())}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// lines splits an error of the SDK into one line per problem. Some SDK decoders return an empty cog.BuildErrors
// for "no problem", which is a non-nil error.
func lines(err error) []string {
	var out []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func summarize(kinds map[string]int) string {
	keys := make([]string, 0, len(kinds))
	for k := range kinds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s x%d", k, kinds[k])
	}
	return strings.Join(parts, ", ")
}
