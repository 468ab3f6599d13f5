"""Amazon S3, the subset stream applications touch: buckets, objects, listings, multipart uploads.

Owns: the operation table (only what is implemented; any other S3 action answers NotImplemented).
"""

from __future__ import annotations

from riverbed.core.service import Operation
from riverbed.services.s3.operations import buckets as bucket_ops
from riverbed.services.s3.operations import copy_object as copy_ops
from riverbed.services.s3.operations import listing as listing_ops
from riverbed.services.s3.operations import multipart as multipart_ops
from riverbed.services.s3.operations import objects as object_ops
from riverbed.services.s3.operations import policy as policy_ops
from riverbed.services.s3.operations import tagging as tagging_ops
from riverbed.services.s3.operations import versioning as versioning_ops

OPERATIONS: dict[str, Operation] = {
    "CreateBucket": bucket_ops.create_bucket,
    "HeadBucket": bucket_ops.head_bucket,
    "ListBuckets": bucket_ops.list_buckets,
    "DeleteBucket": bucket_ops.delete_bucket,
    "GetBucketLocation": bucket_ops.get_bucket_location,
    "PutObject": object_ops.put_object,
    "GetObject": object_ops.get_object,
    "HeadObject": object_ops.head_object,
    "DeleteObject": object_ops.delete_object,
    "DeleteObjects": object_ops.delete_objects,
    "CopyObject": copy_ops.copy_object,
    "ListObjectsV2": listing_ops.list_objects_v2,
    "ListObjects": listing_ops.list_objects,
    "CreateMultipartUpload": multipart_ops.create_multipart_upload,
    "UploadPart": multipart_ops.upload_part,
    "UploadPartCopy": multipart_ops.upload_part_copy,
    "CompleteMultipartUpload": multipart_ops.complete_multipart_upload,
    "AbortMultipartUpload": multipart_ops.abort_multipart_upload,
    "ListParts": multipart_ops.list_parts,
    "ListMultipartUploads": multipart_ops.list_multipart_uploads,
    "PutBucketTagging": tagging_ops.put_bucket_tagging,
    "GetBucketTagging": tagging_ops.get_bucket_tagging,
    "DeleteBucketTagging": tagging_ops.delete_bucket_tagging,
    "PutObjectTagging": tagging_ops.put_object_tagging,
    "GetObjectTagging": tagging_ops.get_object_tagging,
    "DeleteObjectTagging": tagging_ops.delete_object_tagging,
    "PutBucketPolicy": policy_ops.put_bucket_policy,
    "GetBucketPolicy": policy_ops.get_bucket_policy,
    "DeleteBucketPolicy": policy_ops.delete_bucket_policy,
    "PutBucketVersioning": versioning_ops.put_bucket_versioning,
    "GetBucketVersioning": versioning_ops.get_bucket_versioning,
    "ListObjectVersions": versioning_ops.list_object_versions,
}
