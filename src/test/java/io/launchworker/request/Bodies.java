package io.launchworker.request;

/** Request bodies for tests, written with single quotes for readability. */
final class Bodies {
  static final String AMI = "ami-0123456789abcdef0";
  static final String SUBNET = "subnet-0123456789abcdef0";
  static final String SG_1 = "sg-0123456789abcdef0";
  static final String SG_2 = "sg-12345678";
  static final String TEMPLATE_ID = "lt-0123456789abcdef0";
  /** base64 of "#!/bin/sh\necho TOP-SECRET-USERDATA\n". */
  static final String USER_DATA = "IyEvYmluL3NoCmVjaG8gVE9QLVNFQ1JFVC1VU0VSREFUQQo=";

  /** Every field of the schema set (imageId flavour). */
  static final String FULL = json("{"
      + "'imageId':'" + AMI + "',"
      + "'instanceType':'t3.micro',"
      + "'minCount':2,"
      + "'maxCount':3,"
      + "'subnetId':'" + SUBNET + "',"
      + "'securityGroupIds':['" + SG_1 + "','" + SG_2 + "'],"
      + "'keyName':'ops-key',"
      + "'iamInstanceProfile':{'name':'web-profile'},"
      + "'userData':'" + USER_DATA + "',"
      + "'tags':{'team':'web','env':'prod','cost-center':'42'},"
      + "'clientToken':'producer-token-1',"
      + "'requestId':'req-7'"
      + "}");

  static final String MINIMAL = json("{'imageId':'" + AMI + "'}");

  private Bodies() {}

  static String json(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  /** A minimal valid body with extra members, e.g. {@code with("'minCount':0")}. */
  static String with(String members) {
    return json("{'imageId':'" + AMI + "'," + members + "}");
  }

  /** A body with a launch template instead of an image, plus extra members (may be empty). */
  static String template(String templateMembers) {
    return json("{'launchTemplate':{" + templateMembers + "}}");
  }
}
