// The parts of Cloudflare's OpenAPI document that describe what the
// Cloudflare stand-in answers, kept as data so a test can hold the stand-in
// to them (cloudflare.test.ts).
//
// Source: github.com/cloudflare/api-schemas, openapi.json at commit
// ebdfba7e8ee533e5ae625088257e226d62b5662c, components.schemas (names kept as
// there) and the 200 responses of paths "/zones" GET and
// "/zones/{zone_id}/dns_records/{dns_record_id}" DELETE (given names here).
// Left out: annotations (description, example, readOnly, default) and the
// record types the stand-in does not serve from dns-records_dns-record's oneOf.
//
// What the document says and real answers show differently, and what this
// file does about it:
// - Every path's 4xx answer is allOf [the success schema, the failure
//   schema], which nothing can satisfy (success is enum [true] in one and
//   [false] in the other). Error answers are checked against
//   dns-records_api-response-common-failure alone.
// - The document does not describe error_chain (the reasons inside a 1004
//   "DNS Validation Error"); it is allowed as an extra property, and the test
//   checks each entry against the messages item schema.
// - Codes are documented as 1000 and up, but the live API refuses a rate
//   limited call with 971 (github.com/cloudflare/terraform-provider-cloudflare
//   issues 5494 and 6502); the stand-in sends 971 and the test allows it there.
// - Later versions of the document (and the cloudflare npm SDK 7.x types
//   generated from them) drop zone_id, zone_name and locked from records and
//   require ttl, proxied, settings and tags. The stand-in sends both sets, so
//   it fits this version and the later one.

import type { Components, Schema } from './json-schema'

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` })

const messages: Schema = {
  items: { properties: { code: { minimum: 1000, type: 'integer' }, message: { type: 'string' } }, required: ['code', 'message'], type: 'object' },
  type: 'array',
}

const resultInfo: Schema = {
  properties: { count: { type: 'number' }, page: { type: 'number' }, per_page: { type: 'number' }, total_count: { type: 'number' } },
  type: 'object',
}

/** One record type of dns-records_dns-record: its own fields, then the shared base. */
function recordType(type: string, own: Record<string, Schema>, required: string[]): Schema {
  return {
    allOf: [{ properties: { ...own, type: { enum: [type], type: 'string' } } }, ref('dns-records_base')],
    required,
  }
}

export const CLOUDFLARE_COMPONENTS: Components = {
  'dns-records_messages': messages,
  'dns-records_result_info': resultInfo,
  'dns-records_api-response-common': {
    properties: { errors: ref('dns-records_messages'), messages: ref('dns-records_messages'), success: { enum: [true], type: 'boolean' } },
    required: ['success', 'errors', 'messages'],
    type: 'object',
  },
  'dns-records_api-response-common-failure': {
    properties: {
      errors: { allOf: [ref('dns-records_messages')], minLength: 1 },
      messages: { allOf: [ref('dns-records_messages')] },
      result: { enum: [null], nullable: true, type: 'object' },
      success: { enum: [false], type: 'boolean' },
    },
    required: ['success', 'errors', 'messages', 'result'],
    type: 'object',
  },
  'dns-records_api-response-collection': {
    allOf: [ref('dns-records_api-response-common'), { properties: { result: { items: {}, nullable: true, type: 'array' }, result_info: ref('dns-records_result_info') } }],
    type: 'object',
  },
  'dns-records_api-response-single': {
    allOf: [ref('dns-records_api-response-common'), { properties: { result: { anyOf: [{ type: 'object' }, { type: 'string' }] } } }],
    type: 'object',
  },
  'dns-records_dns_response_collection': {
    allOf: [ref('dns-records_api-response-collection'), { properties: { result: { items: ref('dns-records_dns-record'), type: 'array' } }, type: 'object' }],
  },
  'dns-records_dns_response_single': {
    allOf: [ref('dns-records_api-response-single'), { properties: { result: ref('dns-records_dns-record') }, type: 'object' }],
  },
  'dns-records_dns-record': {
    oneOf: ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'SRV', 'TXT'].map((t) => ref(`dns-records_${t}Record`)),
    required: ['id', 'type', 'name', 'content', 'proxiable', 'locked', 'zone_name', 'created_on', 'modified_on'],
    type: 'object',
  },
  'dns-records_ARecord': recordType(
    'A',
    { content: { format: 'ipv4', type: 'string' }, name: ref('dns-records_name'), proxied: ref('dns-records_proxied') },
    ['type', 'name', 'content'],
  ),
  'dns-records_AAAARecord': recordType(
    'AAAA',
    { content: { format: 'ipv6', type: 'string' }, name: ref('dns-records_name'), proxied: ref('dns-records_proxied') },
    ['type', 'name', 'content'],
  ),
  'dns-records_CNAMERecord': recordType('CNAME', { content: {}, name: ref('dns-records_name'), proxied: ref('dns-records_proxied') }, ['type', 'name', 'content']),
  'dns-records_MXRecord': recordType(
    'MX',
    { content: { format: 'hostname', type: 'string' }, name: ref('dns-records_name'), priority: ref('dns-records_priority') },
    ['type', 'name', 'content', 'priority'],
  ),
  'dns-records_NSRecord': recordType('NS', { content: {}, name: ref('dns-records_name') }, ['type', 'name', 'content']),
  'dns-records_SRVRecord': recordType(
    'SRV',
    {
      content: { type: 'string' },
      data: {
        properties: {
          name: { format: 'hostname', type: 'string' },
          port: { maximum: 65535, minimum: 0, type: 'number' },
          priority: ref('dns-records_priority'),
          proto: { type: 'string' },
          service: { type: 'string' },
          target: { format: 'hostname', type: 'string' },
          weight: { maximum: 65535, minimum: 0, type: 'number' },
        },
        type: 'object',
      },
      name: { maxLength: 255, type: 'string' },
    },
    ['type', 'name', 'data'],
  ),
  'dns-records_TXTRecord': recordType('TXT', { content: { type: 'string' }, name: ref('dns-records_name') }, ['type', 'name', 'content']),
  'dns-records_base': {
    properties: {
      comment: ref('dns-records_comment'),
      created_on: { format: 'date-time', type: 'string' },
      id: ref('dns-records_identifier'),
      locked: { type: 'boolean' },
      meta: { properties: { auto_added: { type: 'boolean' }, source: { type: 'string' } }, type: 'object' },
      modified_on: { format: 'date-time', type: 'string' },
      proxiable: { type: 'boolean' },
      tags: ref('dns-records_tags'),
      ttl: ref('dns-records_ttl'),
      zone_id: ref('dns-records_identifier'),
      zone_name: { format: 'hostname', type: 'string' },
    },
  },
  'dns-records_comment': { type: 'string' },
  'dns-records_identifier': { maxLength: 32, type: 'string' },
  'dns-records_name': { maxLength: 255, type: 'string' },
  'dns-records_priority': { maximum: 65535, minimum: 0, type: 'number' },
  'dns-records_proxied': { type: 'boolean' },
  'dns-records_tags': { items: { type: 'string' }, type: 'array' },
  /** "Value must be between 60 and 86400, with the minimum reduced to 30 for Enterprise zones." */
  'dns-records_ttl': { anyOf: [{ maximum: 86400, minimum: 30, type: 'number' }, { enum: [1], type: 'number' }], type: 'number' },
  /** The per_page query parameter of "List DNS Records": 100 unless given, at most 5,000,000. */
  'dns-records_per_page': { default: 100, maximum: 5_000_000, minimum: 1, type: 'number' },
  /** paths["/zones/{zone_id}/dns_records/{dns_record_id}"].delete.responses["200"] */
  'dns-records_delete_response': { properties: { result: { properties: { id: ref('dns-records_identifier') } } }, type: 'object' },

  'zones_messages': messages,
  'zones_result_info': resultInfo,
  'zones_identifier': { maxLength: 32, type: 'string' },
  'zones_api-response-common': {
    properties: { errors: ref('zones_messages'), messages: ref('zones_messages'), success: { type: 'boolean' } },
    required: ['success', 'errors', 'messages'],
    type: 'object',
  },
  'zones_api-response-common-failure': {
    properties: {
      errors: { allOf: [ref('zones_messages')], minLength: 1 },
      messages: { allOf: [ref('zones_messages')] },
      result: { nullable: true, type: 'object' },
      success: { type: 'boolean' },
    },
    required: ['success', 'errors', 'messages', 'result'],
    type: 'object',
  },
  /** paths["/zones"].get.responses["200"] */
  'zones_list_response': {
    allOf: [
      ref('zones_api-response-common'),
      { properties: { result_info: ref('zones_result_info') } },
      { properties: { result: { items: ref('zones_zone'), type: 'array' } } },
    ],
  },
  'zones_zone': {
    properties: {
      account: { properties: { id: ref('zones_identifier'), name: { type: 'string' } }, type: 'object' },
      activated_on: { format: 'date-time', nullable: true, type: 'string' },
      created_on: { format: 'date-time', type: 'string' },
      development_mode: { type: 'number' },
      id: ref('zones_identifier'),
      meta: {
        properties: {
          cdn_only: { type: 'boolean' },
          custom_certificate_quota: { type: 'integer' },
          dns_only: { type: 'boolean' },
          foundation_dns: { type: 'boolean' },
          page_rule_quota: { type: 'integer' },
          phishing_detected: { type: 'boolean' },
          step: { type: 'integer' },
        },
        type: 'object',
      },
      modified_on: { format: 'date-time', type: 'string' },
      name: { maxLength: 253, pattern: '^([a-zA-Z0-9][\\-a-zA-Z0-9]*\\.)+[\\-a-zA-Z0-9]{2,20}$', type: 'string' },
      name_servers: { items: { format: 'hostname', type: 'string' }, type: 'array' },
      original_dnshost: { maxLength: 50, nullable: true, type: 'string' },
      original_name_servers: { items: { format: 'hostname', type: 'string' }, nullable: true, type: 'array' },
      original_registrar: { nullable: true, type: 'string' },
      owner: { properties: { id: ref('zones_identifier'), name: { type: 'string' }, type: { type: 'string' } }, type: 'object' },
      vanity_name_servers: { items: { format: 'hostname', maxLength: 253, type: 'string' }, type: 'array' },
    },
    required: [
      'id',
      'name',
      'development_mode',
      'owner',
      'account',
      'meta',
      'name_servers',
      'original_name_servers',
      'original_registrar',
      'original_dnshost',
      'created_on',
      'modified_on',
      'activated_on',
    ],
    type: 'object',
  },
}
