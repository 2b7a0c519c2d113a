#!/usr/bin/env node
// Validates Adaptive Cards with Microsoft's own SDK (npm `adaptivecards`).
//
// stdin:  a JSON array of cards.
// stdout: a JSON array with one list of error strings per card (empty list = valid).
//
// Three layers, all driven by the SDK's own knowledge of the format:
//  1. card.parse() with a SerializationContext that targets 1.5 (what Teams renders): unknown
//     element/action types, bad enum values, properties newer than 1.5, actions not allowed where
//     they stand.
//  2. card.validateProperties(): missing or duplicate input ids, empty choice sets, missing urls,
//     required inputs without label or error message.
//  0. Teams' chart elements (Chart.*) are unknown to the SDK: each is put aside and its `fallback`
//     (what a host without charts shows) takes its place, so the fallback is checked as any other
//     element. The charts themselves are checked by this project's rules (tests/cards/charts.py).
//  3. A walk over the raw JSON against each class's property schema (getSchema()), because the SDK
//     silently drops what it does not know: unknown property names and values of the wrong JSON type
//     ("wrap": "yes", "size": 3) would otherwise pass and be ignored by Teams without a word.
"use strict";

const AC = require("adaptivecards/dist/adaptivecards.js");

const TARGET = AC.Versions.v1_5;

// SDK bug (3.0.6): the "lang" check is a /g regex used with exec(), whose lastIndex survives
// between calls, so every second valid "lang" is reported invalid. Same pattern, no state.
AC.CardElement.langProperty.regEx = /^[a-z]{2,3}$/i;

// Properties the SDK parses by hand instead of through its property schema, per JSON type.
const STRUCTURAL = {
  AdaptiveCard: { body: "elements", actions: "actions", msteams: "msteams" },
  Container: { items: "elements" },
  Column: { items: "elements" },
  TableCell: { items: "elements" },
  ColumnSet: { columns: "columns" },
  ActionSet: { actions: "actions" },
  RichTextBlock: { inlines: "inlines" },
  Table: { rows: "rows" },
  TableRow: { cells: "cells" },
  "Action.ShowCard": { card: "card" },
};

// Teams' own extension on the card: https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format
const MSTEAMS_KEYS = new Set(["width", "entities"]);

function kindOf(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function schemaOf(instance) {
  const props = new Map();
  const schema = instance.getSchema();
  for (let i = 0; i < schema.getCount(); i++) {
    const prop = schema.getItemAt(i);
    if (!props.has(prop.name)) props.set(prop.name, prop);
  }
  return props;
}

// What JSON type a property of this SDK class expects; undefined = anything goes.
function expectedKind(prop) {
  switch (prop.constructor.name) {
    case "StringProperty":
    case "TimeProperty":
    case "EnumProperty":
    case "ValueSetProperty":
    case "ContainerStyleProperty":
    case "PixelSizeProperty":
    case "ImageDimensionProperty":
      return ["string"];
    case "BoolProperty":
      return ["boolean"];
    case "NumProperty":
      return ["number"];
    case "StringArrayProperty":
    case "SerializableObjectCollectionProperty":
      return ["array"];
    case "SerializableObjectProperty":
    case "ActionProperty":
    case "RefreshActionProperty":
      return ["object"];
    default:
      return undefined;
  }
}

class Walker {
  constructor() {
    this.errors = [];
  }

  error(path, typeName, message) {
    this.errors.push(`${path} (${typeName}): ${message}`);
  }

  card(json, path, nested) {
    if (kindOf(json) !== "object") {
      this.errors.push(`${path}: a card must be a JSON object, got ${kindOf(json)}`);
      return;
    }
    if (nested && json.type !== "AdaptiveCard") {
      this.error(path, String(json.type), 'Action.ShowCard\'s "card" must have "type": "AdaptiveCard"');
    }
    this.object(json, path, "AdaptiveCard", new AC.AdaptiveCard());
  }

  element(json, path, forcedType) {
    if (kindOf(json) !== "object") {
      this.errors.push(`${path}: an element must be a JSON object, got ${kindOf(json)}`);
      return;
    }
    const typeName = json.type ?? forcedType;
    if (forcedType && json.type !== undefined && json.type !== forcedType) {
      this.error(path, String(json.type), `expected "type": "${forcedType}" here`);
      return;
    }
    let instance;
    if (forcedType === "Column") instance = new AC.Column();
    else if (forcedType === "TableRow") instance = new AC.TableRow();
    else if (forcedType === "TableCell") instance = new AC.TableCell();
    else {
      const registration = AC.GlobalRegistry.elements.findByName(typeName);
      // Unknown or missing types are reported by the SDK's parse step; don't report them twice.
      if (!registration) return;
      instance = new registration.objectType();
    }
    this.object(json, path, typeName, instance);
  }

  action(json, path) {
    if (kindOf(json) !== "object") {
      this.errors.push(`${path}: an action must be a JSON object, got ${kindOf(json)}`);
      return;
    }
    const registration = AC.GlobalRegistry.actions.findByName(json.type);
    if (!registration) return;
    this.object(json, path, json.type, new registration.objectType());
  }

  object(json, path, typeName, instance) {
    const props = schemaOf(instance);
    const structural = STRUCTURAL[typeName] ?? {};
    const isElementOrAction = instance instanceof AC.CardElement || instance instanceof AC.Action;
    for (const [key, value] of Object.entries(json)) {
      const where = `${path}.${key}`;
      if (key === "fallback" && isElementOrAction) {
        if (value === "drop") continue;
        if (instance instanceof AC.Action) this.action(value, where);
        else this.element(value, where);
        continue;
      }
      if (Object.prototype.hasOwnProperty.call(structural, key)) {
        this.structural(structural[key], value, where, typeName);
        continue;
      }
      const prop = props.get(key);
      if (!prop) {
        this.error(path, typeName, `unknown property "${key}"`);
        continue;
      }
      this.property(prop, value, where, path, typeName);
    }
  }

  property(prop, value, where, path, typeName) {
    const expected = expectedKind(prop);
    const actual = kindOf(value);
    // The SDK accepts a plain URL string for a background image, and so does the 1.5 schema.
    const urlShortcut = prop.name === "backgroundImage" && actual === "string";
    if (expected && !expected.includes(actual) && !urlShortcut) {
      this.error(path, typeName, `property "${prop.name}" must be ${expected.join(" or ")}, got ${actual}`);
      return;
    }
    const objectType = prop.objectType;
    switch (prop.constructor.name) {
      case "ActionProperty":
      case "RefreshActionProperty":
        this.action(value, where);
        break;
      case "StringArrayProperty":
        value.forEach((item, i) => {
          if (typeof item !== "string") {
            this.error(path, typeName, `property "${prop.name}"[${i}] must be string, got ${kindOf(item)}`);
          }
        });
        break;
      case "SerializableObjectCollectionProperty":
        value.forEach((item, i) => this.nested(objectType, item, `${where}[${i}]`));
        break;
      case "SerializableObjectProperty":
        if (!urlShortcut) this.nested(objectType, value, where);
        break;
      default:
        break;
    }
  }

  nested(objectType, value, where) {
    if (objectType === AC.HostCapabilities) {
      for (const [name, version] of Object.entries(value)) {
        if (typeof version !== "string") {
          this.error(where, "requires", `"${name}" must map to a version string`);
        }
      }
      return;
    }
    if (objectType === AC.Image) {
      this.element(value, where, "Image");
      return;
    }
    if (kindOf(value) !== "object") {
      this.errors.push(`${where}: expected a JSON object, got ${kindOf(value)}`);
      return;
    }
    this.object(value, where, objectType.name, new objectType());
  }

  structural(kind, value, where, typeName) {
    const arrayKinds = ["elements", "actions", "columns", "inlines", "rows", "cells"];
    if (arrayKinds.includes(kind) && !Array.isArray(value)) {
      this.errors.push(`${where} (${typeName}): must be an array, got ${kindOf(value)}`);
      return;
    }
    switch (kind) {
      case "elements":
        value.forEach((item, i) => this.element(item, `${where}[${i}]`));
        break;
      case "actions":
        value.forEach((item, i) => this.action(item, `${where}[${i}]`));
        break;
      case "columns":
        value.forEach((item, i) =>
          typeName === "Table"
            ? this.nested(AC.TableColumnDefinition, item, `${where}[${i}]`)
            : this.element(item, `${where}[${i}]`, "Column"),
        );
        break;
      case "rows":
        value.forEach((item, i) => this.element(item, `${where}[${i}]`, "TableRow"));
        break;
      case "cells":
        value.forEach((item, i) => this.element(item, `${where}[${i}]`, "TableCell"));
        break;
      case "inlines":
        value.forEach((item, i) => {
          if (typeof item !== "string") this.element(item, `${where}[${i}]`, "TextRun");
        });
        break;
      case "card":
        this.card(value, where, true);
        break;
      case "msteams":
        if (kindOf(value) !== "object") {
          this.errors.push(`${where}: must be an object, got ${kindOf(value)}`);
          return;
        }
        for (const key of Object.keys(value)) {
          if (!MSTEAMS_KEYS.has(key)) this.errors.push(`${where}: unknown Teams property "${key}"`);
        }
        break;
      default:
        break;
    }
  }
}

function describe(source) {
  if (!source || typeof source.getJsonTypeName !== "function") return "";
  const id = source.id ? ` id=${JSON.stringify(source.id)}` : "";
  return ` [${source.getJsonTypeName()}${id}]`;
}

const CHART_PREFIX = "Chart.";

function isChart(value) {
  return kindOf(value) === "object" && typeof value.type === "string" && value.type.startsWith(CHART_PREFIX);
}

// The card as a host without charts sees it: every chart replaced by its fallback element (a
// chart without one, or with "drop", is left out; charts.py reports that).
function withoutCharts(value) {
  if (Array.isArray(value)) {
    return value.map(withoutCharts).filter((item) => item !== undefined);
  }
  if (kindOf(value) !== "object") return value;
  if (isChart(value)) {
    return kindOf(value.fallback) === "object" ? withoutCharts(value.fallback) : undefined;
  }
  const copy = {};
  for (const [key, item] of Object.entries(value)) {
    const replaced = withoutCharts(item);
    if (replaced !== undefined) copy[key] = replaced;
  }
  return copy;
}

function validateCard(raw) {
  const errors = [];
  const json = withoutCharts(raw);
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext(TARGET);
  try {
    card.parse(json, context);
  } catch (e) {
    return [`sdk: parse failed: ${e && e.message ? e.message : String(e)}`];
  }
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    errors.push(`sdk ${AC.ValidationEvent[event.event]}: ${event.message}${describe(event.source)}`);
  }
  const results = card.validateProperties();
  for (const event of results.validationEvents) {
    errors.push(`sdk ${AC.ValidationEvent[event.event]}: ${event.message}${describe(event.source)}`);
  }
  const walker = new Walker();
  walker.card(json, "$", false);
  return errors.concat(walker.errors);
}

function main() {
  const chunks = [];
  process.stdin.on("data", (chunk) => chunks.push(chunk));
  process.stdin.on("end", () => {
    const cards = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (!Array.isArray(cards)) throw new Error("stdin must be a JSON array of cards");
    process.stdout.write(JSON.stringify(cards.map(validateCard)));
  });
}

main();
