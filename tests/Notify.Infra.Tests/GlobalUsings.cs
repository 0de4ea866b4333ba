// The namespaces most of this project's files use, imported once here instead of at the top of each file.
global using System.Globalization;
global using System.Reflection;
global using System.Text.Json.Nodes;
global using System.Text.RegularExpressions;
