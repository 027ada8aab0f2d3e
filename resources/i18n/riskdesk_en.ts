<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>App</name>
    <message>
        <source>安责险风控服务管理系统</source>
        <translation>Construction Safety Risk-Control Service Manager</translation>
    </message>
    <message>
        <source>{message}

数据库：{where}</source>
        <translation>{message}

Database: {where}</translation>
    </message>
    <message>
        <source>无法打开数据库</source>
        <translation>Cannot open the database</translation>
    </message>
</context>
<context>
    <name>ArchiveDialogs</name>
    <message>
        <source>纸质</source>
        <translation>Paper</translation>
    </message>
    <message>
        <source>电子</source>
        <translation>Electronic</translation>
    </message>
    <message>
        <source>服务合同</source>
        <translation>Service contract</translation>
    </message>
    <message>
        <source>服务方案</source>
        <translation>Service plan</translation>
    </message>
    <message>
        <source>检查记录</source>
        <translation>Inspection records</translation>
    </message>
    <message>
        <source>整改通知及回复</source>
        <translation>Notices and replies</translation>
    </message>
    <message>
        <source>培训记录</source>
        <translation>Training records</translation>
    </message>
    <message>
        <source>演练记录</source>
        <translation>Drill records</translation>
    </message>
    <message>
        <source>期间报告</source>
        <translation>Period reports</translation>
    </message>
    <message>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <source>批复扫描件 (*.pdf *.jpg *.jpeg *.png *.heic)</source>
        <translation>Scanned approval (*.pdf *.jpg *.jpeg *.png *.heic)</translation>
    </message>
    <message>
        <source>…… 另有 {n} 件</source>
        <translation>… and {n} more</translation>
    </message>
    <message>
        <source>新增档案</source>
        <translation>New archive item</translation>
    </message>
    <message>
        <source>修改档案：{title}</source>
        <translation>Edit archive item: {title}</translation>
    </message>
    <message>
        <source>未填</source>
        <translation>Not given</translation>
    </message>
    <message>
        <source>如：档案室 3 号柜第 2 层</source>
        <translation>e.g. archive room, cabinet 3, shelf 2</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>题名</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>载体</source>
        <translation>Medium</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>页数</source>
        <translation>Pages</translation>
    </message>
    <message>
        <source>盒号</source>
        <translation>Box no.</translation>
    </message>
    <message>
        <source>存放位置</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>归档日期</source>
        <translation>Filed on</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>请选择项目</source>
        <translation>Please choose a project</translation>
    </message>
    <message>
        <source>申请销毁档案（{n} 件）</source>
        <translation>Request destruction ({n} items)</translation>
    </message>
    <message>
        <source>拟销毁</source>
        <translation>To destroy</translation>
    </message>
    <message>
        <source>项目竣工后保存期限已届满，申请按规定销毁。</source>
        <translation>The retention period after project completion has ended; destruction is requested as the rules provide.</translation>
    </message>
    <message>
        <source>销毁理由</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>申请提交后须取得承保机构书面批复，登记批复扫描件后方可销毁（N-15）。</source>
        <translation>After the request, the insurer must approve in writing; items may be destroyed only once the scanned approval is recorded (N-15).</translation>
    </message>
    <message>
        <source>登记承保机构批复：第 {n} 号申请</source>
        <translation>Record the insurer&apos;s approval: request no. {n}</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>如：人保绍〔2026〕18号</source>
        <translation>e.g. PICC-SX [2026] 18</translation>
    </message>
    <message>
        <source>未选择（必须上传书面批复扫描件）</source>
        <translation>None chosen (the scanned written approval is required)</translation>
    </message>
    <message>
        <source>选择文件(&amp;B)…</source>
        <translation>&amp;Browse…</translation>
    </message>
    <message>
        <source>审批人</source>
        <translation>Approved by</translation>
    </message>
    <message>
        <source>审批时间</source>
        <translation>Approved at</translation>
    </message>
    <message>
        <source>批复文号</source>
        <translation>Approval reference</translation>
    </message>
    <message>
        <source>批复扫描件</source>
        <translation>Scanned approval</translation>
    </message>
    <message>
        <source>选择批复扫描件</source>
        <translation>Choose the scanned approval</translation>
    </message>
    <message>
        <source>登记承保机构驳回：第 {n} 号申请</source>
        <translation>Record the insurer&apos;s refusal: request no. {n}</translation>
    </message>
    <message>
        <source>驳回意见</source>
        <translation>Insurer&apos;s opinion</translation>
    </message>
    <message>
        <source>登记档案销毁（{n} 件）</source>
        <translation>Record destruction ({n} items)</translation>
    </message>
    <message>
        <source>销毁档案</source>
        <translation>Items</translation>
    </message>
    <message>
        <source>销毁方式、监销人等</source>
        <translation>Method, witness, etc.</translation>
    </message>
    <message>
        <source>销毁时间</source>
        <translation>Destroyed at</translation>
    </message>
    <message>
        <source>销毁说明</source>
        <translation>Note</translation>
    </message>
</context>
<context>
    <name>ArchivePage</name>
    <message>
        <source>待承保机构审批</source>
        <translation>Awaiting insurer</translation>
    </message>
    <message>
        <source>已批准</source>
        <translation>Approved</translation>
    </message>
    <message>
        <source>已驳回</source>
        <translation>Refused</translation>
    </message>
    <message>
        <source>已销毁</source>
        <translation>Destroyed</translation>
    </message>
    <message>
        <source>全部保存期限</source>
        <translation>Any retention</translation>
    </message>
    <message>
        <source>90 天内到期</source>
        <translation>Ends within 90 days</translation>
    </message>
    <message>
        <source>已过保存期限</source>
        <translation>Retention ended</translation>
    </message>
    <message>
        <source>未竣工</source>
        <translation>Not completed</translation>
    </message>
    <message>
        <source>全部项目</source>
        <translation>All projects</translation>
    </message>
    <message>
        <source>全部状态</source>
        <translation>All statuses</translation>
    </message>
    <message>
        <source>搜索题名、类别、盒号或存放位置</source>
        <translation>Search title, type, box or location</translation>
    </message>
    <message>
        <source>显示全部档案</source>
        <translation>Show all items</translation>
    </message>
    <message>
        <source>新增档案(&amp;N)…</source>
        <translation>&amp;New item…</translation>
    </message>
    <message>
        <source>修改(&amp;E)…</source>
        <translation>&amp;Edit…</translation>
    </message>
    <message>
        <source>申请销毁(&amp;R)…</source>
        <translation>&amp;Request destruction…</translation>
    </message>
    <message>
        <source>登记销毁(&amp;X)…</source>
        <translation>Record destruction (&amp;X)…</translation>
    </message>
    <message>
        <source>打印档案目录(&amp;P)</source>
        <translation>&amp;Print catalogue</translation>
    </message>
    <message>
        <source>登记批复(&amp;A)…</source>
        <translation>Record &amp;approval…</translation>
    </message>
    <message>
        <source>登记驳回(&amp;J)…</source>
        <translation>Record refusal (&amp;J)…</translation>
    </message>
    <message>
        <source>按申请登记销毁(&amp;D)…</source>
        <translation>Record &amp;destruction of request…</translation>
    </message>
    <message>
        <source>打印销毁审批表(&amp;F)</source>
        <translation>Print approval &amp;form</translation>
    </message>
    <message>
        <source>档案台账</source>
        <translation>Archive ledger</translation>
    </message>
    <message>
        <source>销毁申请</source>
        <translation>Destruction requests</translation>
    </message>
    <message>
        <source>档案销毁须经承保机构书面批准：登记批复时上传批复扫描件后方可登记销毁（N-15）。</source>
        <translation>Destruction needs the insurer&apos;s written approval: record it with the scanned reply before recording destruction (N-15).</translation>
    </message>
    <message>
        <source>显示 {shown} 件（共 {total} 件；90 天内到期 {soon} 件，已过保存期限 {past} 件）</source>
        <translation>Showing {shown} ({total} in all; {soon} end within 90 days, {past} past retention)</translation>
    </message>
    <message>
        <source>仅显示：{what}（{n} 件）</source>
        <translation>Showing only: {what} ({n} items)</translation>
    </message>
    <message>
        <source>请先选择</source>
        <translation>Choose first</translation>
    </message>
    <message>
        <source>请在档案台账中选择要修改的档案。</source>
        <translation>Choose the item to edit in the ledger.</translation>
    </message>
    <message>
        <source>请在档案台账中选择要申请销毁的档案（可按住 Ctrl 或 Shift 多选）。</source>
        <translation>Choose the items to destroy in the ledger (Ctrl or Shift selects several).</translation>
    </message>
    <message>
        <source>请在档案台账中选择已销毁的档案。</source>
        <translation>Choose the destroyed items in the ledger.</translation>
    </message>
    <message>
        <source>请在销毁申请中选择要登记批复的申请。</source>
        <translation>Choose the request to record an approval for.</translation>
    </message>
    <message>
        <source>请在销毁申请中选择被驳回的申请。</source>
        <translation>Choose the refused request.</translation>
    </message>
    <message>
        <source>请在销毁申请中选择已销毁的申请。</source>
        <translation>Choose the request whose items were destroyed.</translation>
    </message>
    <message>
        <source>请先按项目筛选或选择一件档案，目录按项目打印。</source>
        <translation>Filter by a project or choose an item first: the catalogue is printed per project.</translation>
    </message>
    <message>
        <source>请在销毁申请中选择要打印审批表的申请。</source>
        <translation>Choose the request to print the approval form for.</translation>
    </message>
</context>
<context>
    <name>AutoBackup</name>
    <message>
        <source>自动备份完成：{path}</source>
        <translation>Automatic backup written: {path}</translation>
    </message>
    <message>
        <source>自动备份失败：{reason}（详见日志）</source>
        <translation>Automatic backup failed: {reason} (see the log)</translation>
    </message>
</context>
<context>
    <name>BackupPanel</name>
    <message>
        <source>立即备份</source>
        <translation>Back up now</translation>
    </message>
    <message>
        <source>备份文件包含数据库、签名密钥和全部附件，并附每个文件的校验值。请把备份保存到另一块磁盘或移动硬盘上。</source>
        <translation>A backup holds the database, the signing key and every attachment, with a checksum of each file. Keep backups on another disk or a removable drive.</translation>
    </message>
    <message>
        <source>备份到文件…</source>
        <translation>Back up to file…</translation>
    </message>
    <message>
        <source>自动备份</source>
        <translation>Automatic backup</translation>
    </message>
    <message>
        <source> 小时</source>
        <translation> hours</translation>
    </message>
    <message>
        <source>关闭</source>
        <translation>Off</translation>
    </message>
    <message>
        <source> 份</source>
        <translation> copies</translation>
    </message>
    <message>
        <source>保存自动备份设置</source>
        <translation>Save automatic backup settings</translation>
    </message>
    <message>
        <source>备份间隔</source>
        <translation>Interval</translation>
    </message>
    <message>
        <source>保留份数</source>
        <translation>Copies kept</translation>
    </message>
    <message>
        <source>备份目录</source>
        <translation>Backup folder</translation>
    </message>
    <message>
        <source>最近一次</source>
        <translation>Latest</translation>
    </message>
    <message>
        <source>从备份恢复</source>
        <translation>Restore from backup</translation>
    </message>
    <message>
        <source>恢复会用备份替换当前全部数据和附件（当前数据会另存一份，不会丢失）。恢复前先逐个核对校验值；恢复完成后程序将关闭，需要重新打开。仅系统管理员可以恢复。</source>
        <translation>Restoring replaces all current data and attachments with the backup (the current data is set aside, not lost). Every checksum is verified first; after the restore the program closes and must be reopened. Only administrators can restore.</translation>
    </message>
    <message>
        <source>从备份文件恢复…</source>
        <translation>Restore from backup file…</translation>
    </message>
    <message>
        <source>只有系统管理员可以恢复数据。</source>
        <translation>Only administrators can restore data.</translation>
    </message>
    <message>
        <source>还没有自动备份</source>
        <translation>No automatic backup yet</translation>
    </message>
    <message>
        <source>保存备份</source>
        <translation>Save backup</translation>
    </message>
    <message>
        <source>正在备份…</source>
        <translation>Backing up…</translation>
    </message>
    <message>
        <source>备份已保存：{path}
共 {files} 个文件，{size}，用时 {seconds:.1f} 秒。</source>
        <translation>Backup saved: {path}
{files} files, {size}, in {seconds:.1f} s.</translation>
    </message>
    <message>
        <source>备份完成（有警告）</source>
        <translation>Backup finished with warnings</translation>
    </message>
    <message>
        <source>备份完成</source>
        <translation>Backup finished</translation>
    </message>
    <message>
        <source>设置未保存</source>
        <translation>Settings not saved</translation>
    </message>
    <message>
        <source>无法写入设置文件：{error}</source>
        <translation>Cannot write the settings file: {error}</translation>
    </message>
    <message>
        <source>自动备份设置已保存。</source>
        <translation>Automatic backup settings saved.</translation>
    </message>
    <message>
        <source>选择备份文件</source>
        <translation>Choose a backup file</translation>
    </message>
    <message>
        <source>正在校验备份文件…</source>
        <translation>Verifying the backup file…</translation>
    </message>
    <message>
        <source>备份文件校验通过：{path}
创建于 {created}，含 {attachments} 个附件。

用它替换当前全部数据吗？当前数据会另存到数据目录中。
恢复完成后程序将关闭，请重新打开。</source>
        <translation>The backup verified: {path}
Created {created}, with {attachments} attachments.

Replace all current data with it? The current data is set aside in the data folder.
After the restore the program closes; please reopen it.</translation>
    </message>
    <message>
        <source>正在恢复数据…</source>
        <translation>Restoring data…</translation>
    </message>
    <message>
        <source>数据已从备份恢复。程序现在将关闭，请重新打开 RiskDesk。</source>
        <translation>The data has been restored from the backup. The program will now close; please reopen RiskDesk.</translation>
    </message>
    <message>
        <source>恢复前的数据已另存到：{path}</source>
        <translation>The data from before the restore was set aside in: {path}</translation>
    </message>
    <message>
        <source>恢复完成</source>
        <translation>Restore finished</translation>
    </message>
</context>
<context>
    <name>CataloguePicker</name>
    <message>
        <source>已核对原文</source>
        <translation>Checked against the original</translation>
    </message>
    <message>
        <source>未经核对原文</source>
        <translation>Not checked against the original</translation>
    </message>
    <message>
        <source>未经核对原文：本条文字据公开资料整理，尚未与标准原文逐字核对，出具文书前请核对原文。</source>
        <translation>Not checked against the original: this text was compiled from public sources and has not been compared word for word with the standard. Check the original before issuing documents.</translation>
    </message>
    <message>
        <source>出处：{title}</source>
        <translation>Source: {title}</translation>
    </message>
    <message>
        <source>选择重大事故隐患判定条目</source>
        <translation>Choose a major-hazard criterion</translation>
    </message>
    <message>
        <source>输入关键词，如：塔吊 附着、连墙件、基坑 监测</source>
        <translation>Type keywords, e.g. tower crane anchorage, wall ties, excavation monitoring</translation>
    </message>
    <message>
        <source>找到 {n} 条</source>
        <translation>{n} found</translation>
    </message>
</context>
<context>
    <name>Columns</name>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>职务/职称</source>
        <translation>Position/title</translation>
    </message>
    <message>
        <source>可用</source>
        <translation>Active</translation>
    </message>
    <message>
        <source>已锁定</source>
        <translation>Locked</translation>
    </message>
    <message>
        <source>是</source>
        <translation>Yes</translation>
    </message>
    <message>
        <source>否</source>
        <translation>No</translation>
    </message>
    <message>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>事项</source>
        <translation>Step</translation>
    </message>
    <message>
        <source>经办人</source>
        <translation>By</translation>
    </message>
    <message>
        <source>说明</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>报告对象</source>
        <translation>Recipient</translation>
    </message>
    <message>
        <source>事由</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>期限</source>
        <translation>Due</translation>
    </message>
    <message>
        <source>报告时间</source>
        <translation>Reported at</translation>
    </message>
    <message>
        <source>方式</source>
        <translation>Method</translation>
    </message>
    <message>
        <source>文书</source>
        <translation>Document</translation>
    </message>
    <message>
        <source>编号</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>生成时间</source>
        <translation>Generated</translation>
    </message>
    <message>
        <source>等级</source>
        <translation>Level</translation>
    </message>
    <message>
        <source>发现日期</source>
        <translation>Found</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>停工建议</source>
        <translation>Stop-work</translation>
    </message>
    <message>
        <source>部位</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>隐患描述</source>
        <translation>Hazard</translation>
    </message>
    <message>
        <source>整改措施</source>
        <translation>Measures</translation>
    </message>
    <message>
        <source>整改期限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>责任单位</source>
        <translation>Responsible unit</translation>
    </message>
    <message>
        <source>条目</source>
        <translation>Item</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>判定情形</source>
        <translation>Criterion</translation>
    </message>
    <message>
        <source>版本</source>
        <translation>Rev.</translation>
    </message>
    <message>
        <source>核对</source>
        <translation>Checked</translation>
    </message>
    <message>
        <source>检查日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>检查类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>施工阶段</source>
        <translation>Stage</translation>
    </message>
    <message>
        <source>检查人员</source>
        <translation>Inspectors</translation>
    </message>
    <message>
        <source>发现隐患</source>
        <translation>Hazards found</translation>
    </message>
    <message>
        <source>核查风险源</source>
        <translation>Sources verified</translation>
    </message>
    <message>
        <source>项目方确认</source>
        <translation>Site confirmation</translation>
    </message>
    <message>
        <source>项目编号</source>
        <translation>Project no.</translation>
    </message>
    <message>
        <source>项目名称</source>
        <translation>Project name</translation>
    </message>
    <message>
        <source>风险等级</source>
        <translation>Risk level</translation>
    </message>
    <message>
        <source>区县</source>
        <translation>District</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>属地主管部门</source>
        <translation>Local authority</translation>
    </message>
    <message>
        <source>未销项隐患</source>
        <translation>Open hazards</translation>
    </message>
    <message>
        <source>最近检查</source>
        <translation>Last inspection</translation>
    </message>
    <message>
        <source>施工单位</source>
        <translation>Contractor</translation>
    </message>
    <message>
        <source>标题</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>范围</source>
        <translation>Scope</translation>
    </message>
    <message>
        <source>期间</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>签发人</source>
        <translation>Signed by</translation>
    </message>
    <message>
        <source>签发时间</source>
        <translation>Signed at</translation>
    </message>
    <message>
        <source>报送次数</source>
        <translation>Submissions</translation>
    </message>
    <message>
        <source>报送时间</source>
        <translation>Submitted at</translation>
    </message>
    <message>
        <source>报送对象</source>
        <translation>Recipient</translation>
    </message>
    <message>
        <source>报送单位</source>
        <translation>Recipient organisation</translation>
    </message>
    <message>
        <source>报送方式</source>
        <translation>Channel</translation>
    </message>
    <message>
        <source>登记人</source>
        <translation>Recorded by</translation>
    </message>
    <message>
        <source>走访间隔（天）</source>
        <translation>Visit interval (days)</translation>
    </message>
    <message>
        <source>编制时间</source>
        <translation>Drawn up</translation>
    </message>
    <message>
        <source>文号</source>
        <translation>Document no.</translation>
    </message>
    <message>
        <source>签发</source>
        <translation>Signed</translation>
    </message>
    <message>
        <source>题名</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>载体</source>
        <translation>Medium</translation>
    </message>
    <message>
        <source>页数</source>
        <translation>Pages</translation>
    </message>
    <message>
        <source>盒号</source>
        <translation>Box</translation>
    </message>
    <message>
        <source>存放位置</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>归档日期</source>
        <translation>Filed on</translation>
    </message>
    <message>
        <source>保存期限至</source>
        <translation>Keep until</translation>
    </message>
    <message>
        <source>申请号</source>
        <translation>No.</translation>
    </message>
    <message>
        <source>申请时间</source>
        <translation>Requested</translation>
    </message>
    <message>
        <source>件数</source>
        <translation>Items</translation>
    </message>
    <message>
        <source>申请人</source>
        <translation>Requested by</translation>
    </message>
    <message>
        <source>审批人</source>
        <translation>Approved by</translation>
    </message>
    <message>
        <source>批复文号</source>
        <translation>Approval ref.</translation>
    </message>
    <message>
        <source>审批时间</source>
        <translation>Approved</translation>
    </message>
    <message>
        <source>销毁时间</source>
        <translation>Destroyed</translation>
    </message>
    <message>
        <source>保管期限至</source>
        <translation>Keep until</translation>
    </message>
    <message>
        <source>演练日期</source>
        <translation>Drill date</translation>
    </message>
    <message>
        <source>演练科目</source>
        <translation>Scenario</translation>
    </message>
    <message>
        <source>参演人数</source>
        <translation>Participants</translation>
    </message>
    <message>
        <source>评价</source>
        <translation>Rating</translation>
    </message>
    <message>
        <source>成效评估</source>
        <translation>Evaluated</translation>
    </message>
    <message>
        <source>培训日期</source>
        <translation>Training date</translation>
    </message>
    <message>
        <source>培训主题</source>
        <translation>Topic</translation>
    </message>
    <message>
        <source>集中培训</source>
        <translation>Centralized</translation>
    </message>
    <message>
        <source>学时</source>
        <translation>Hours</translation>
    </message>
    <message>
        <source>参训项目</source>
        <translation>Projects</translation>
    </message>
    <message>
        <source>管理人员</source>
        <translation>Managers</translation>
    </message>
    <message>
        <source>作业人员</source>
        <translation>Workers</translation>
    </message>
    <message>
        <source>针对类别</source>
        <translation>Targets</translation>
    </message>
    <message>
        <source>授课人</source>
        <translation>Trainer</translation>
    </message>
    <message>
        <source>培训依据</source>
        <translation>Basis</translation>
    </message>
    <message>
        <source>已培训/应培训</source>
        <translation>Held / due</translation>
    </message>
    <message>
        <source>管理人员覆盖</source>
        <translation>Managers covered</translation>
    </message>
    <message>
        <source>作业人员覆盖</source>
        <translation>Workers covered</translation>
    </message>
    <message>
        <source>频次</source>
        <translation>Frequency</translation>
    </message>
    <message>
        <source>全覆盖</source>
        <translation>Coverage</translation>
    </message>
    <message>
        <source>针对性</source>
        <translation>Targeted</translation>
    </message>
    <message>
        <source>近期隐患类别</source>
        <translation>Recent hazard categories</translation>
    </message>
    <message>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>服务类别</source>
        <translation>Service type</translation>
    </message>
    <message>
        <source>摘要</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>金额（元）</source>
        <translation>Amount (CNY)</translation>
    </message>
    <message>
        <source>余额（元）</source>
        <translation>Balance (CNY)</translation>
    </message>
    <message>
        <source>已提供（次）</source>
        <translation>Delivered</translation>
    </message>
    <message>
        <source>已列支（笔）</source>
        <translation>Booked</translation>
    </message>
    <message>
        <source>支出（元）</source>
        <translation>Spent (CNY)</translation>
    </message>
    <message>
        <source>列支情况</source>
        <translation>Booking</translation>
    </message>
    <message>
        <source>协助方式</source>
        <translation>Help given</translation>
    </message>
    <message>
        <source>应急预案名称</source>
        <translation>Emergency plan</translation>
    </message>
    <message>
        <source>主要建议</source>
        <translation>Main suggestions</translation>
    </message>
    <message>
        <source>组织单位/负责人</source>
        <translation>Organiser</translation>
    </message>
    <message>
        <source>评价等级</source>
        <translation>Rating</translation>
    </message>
    <message>
        <source>计划开始</source>
        <translation>Planned start</translation>
    </message>
    <message>
        <source>计划结束</source>
        <translation>Planned end</translation>
    </message>
    <message>
        <source>实际开始</source>
        <translation>Actual start</translation>
    </message>
    <message>
        <source>实际结束</source>
        <translation>Actual end</translation>
    </message>
    <message>
        <source>危大工程</source>
        <translation>Dangerous works</translation>
    </message>
    <message>
        <source>规模</source>
        <translation>Scale</translation>
    </message>
    <message>
        <source>规模参数</source>
        <translation>Parameters</translation>
    </message>
    <message>
        <source>评定时间</source>
        <translation>Assessed</translation>
    </message>
    <message>
        <source>规则计算</source>
        <translation>By the rules</translation>
    </message>
    <message>
        <source>评定人</source>
        <translation>Assessed by</translation>
    </message>
    <message>
        <source>理由</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>风险源</source>
        <translation>Risk source</translation>
    </message>
    <message>
        <source>本季度核查</source>
        <translation>Verified this quarter</translation>
    </message>
    <message>
        <source>防范措施</source>
        <translation>Preventive measures</translation>
    </message>
    <message>
        <source>操作人</source>
        <translation>By</translation>
    </message>
    <message>
        <source>操作</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>字段</source>
        <translation>Field</translation>
    </message>
    <message>
        <source>原值</source>
        <translation>Before</translation>
    </message>
    <message>
        <source>新值</source>
        <translation>After</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>检查要点</source>
        <translation>Point checked</translation>
    </message>
    <message>
        <source>检查情况</source>
        <translation>Finding</translation>
    </message>
    <message>
        <source>工作表</source>
        <translation>Sheet</translation>
    </message>
    <message>
        <source>行</source>
        <translation>Row</translation>
    </message>
    <message>
        <source>列</source>
        <translation>Column</translation>
    </message>
    <message>
        <source>表头</source>
        <translation>Header</translation>
    </message>
    <message>
        <source>问题</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>依据</source>
        <translation>Evidence</translation>
    </message>
    <message>
        <source>起始日期</source>
        <translation>Since</translation>
    </message>
    <message>
        <source>名称/编号</source>
        <translation>Name / number</translation>
    </message>
    <message>
        <source>删除时间</source>
        <translation>Deleted</translation>
    </message>
    <message>
        <source>收到日期</source>
        <translation>Received</translation>
    </message>
    <message>
        <source>投诉人</source>
        <translation>Complainant</translation>
    </message>
    <message>
        <source>渠道</source>
        <translation>Channel</translation>
    </message>
    <message>
        <source>投诉内容</source>
        <translation>Complaint</translation>
    </message>
    <message>
        <source>需核实</source>
        <translation>Needs checking</translation>
    </message>
    <message>
        <source>答复期限</source>
        <translation>Reply due</translation>
    </message>
    <message>
        <source>答复日期</source>
        <translation>Replied</translation>
    </message>
    <message>
        <source>经过与情况</source>
        <translation>What happened</translation>
    </message>
    <message>
        <source>发现单位</source>
        <translation>Found by</translation>
    </message>
    <message>
        <source>死亡</source>
        <translation>Deaths</translation>
    </message>
    <message>
        <source>重伤</source>
        <translation>Serious injuries</translation>
    </message>
    <message>
        <source>评价单位类型</source>
        <translation>Evaluator type</translation>
    </message>
    <message>
        <source>评价单位</source>
        <translation>Evaluator</translation>
    </message>
    <message>
        <source>评价期间</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>评价结果</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>认可</source>
        <translation>Recognised</translation>
    </message>
</context>
<context>
    <name>CompliancePage</name>
    <message>
        <source>季度</source>
        <translation>Quarter</translation>
    </message>
    <message>
        <source>半年度</source>
        <translation>Half-year</translation>
    </message>
    <message>
        <source>年度</source>
        <translation>Year</translation>
    </message>
    <message>
        <source>月度</source>
        <translation>Month</translation>
    </message>
    <message>
        <source>全机构</source>
        <translation>Whole agency</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>建设主管部门</source>
        <translation>Construction authority</translation>
    </message>
    <message>
        <source>符合</source>
        <translation>Met</translation>
    </message>
    <message>
        <source>不符合</source>
        <translation>Not met</translation>
    </message>
    <message>
        <source>不适用</source>
        <translation>Not applicable</translation>
    </message>
    <message>
        <source>依据文件 (*.pdf *.docx *.xlsx *.jpg *.jpeg *.png)</source>
        <translation>Supporting file (*.pdf *.docx *.xlsx *.jpg *.jpeg *.png)</translation>
    </message>
    <message>
        <source>待人工填写</source>
        <translation>To answer</translation>
    </message>
    <message>
        <source>{n} 项</source>
        <translation>{n}</translation>
    </message>
    <message>
        <source>{n} 项（{k} 项未到期）</source>
        <translation>{n} ({k} not yet due)</translation>
    </message>
    <message>
        <source>{section}（{n} 项不符合）</source>
        <translation>{section} ({n} not met)</translation>
    </message>
    <message>
        <source>已逾期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <source>未到期</source>
        <translation>Not yet due</translation>
    </message>
    <message>
        <source>人工填写：{item}</source>
        <translation>Answer: {item}</translation>
    </message>
    <message>
        <source>检查要点</source>
        <translation>Point checked</translation>
    </message>
    <message>
        <source>依据，如：制度文件名称、评价文号</source>
        <translation>Grounds, e.g. the rules document or the evaluation reference</translation>
    </message>
    <message>
        <source>选择文件(&amp;B)…</source>
        <translation>&amp;Browse…</translation>
    </message>
    <message>
        <source>依据文件存入机构资料，仅系统管理员可以上传；可在说明中写明文件名称。</source>
        <translation>The file is kept among the agency&apos;s own files, which only an administrator may add to; name the file in the note instead.</translation>
    </message>
    <message>
        <source>结论</source>
        <translation>Answer</translation>
    </message>
    <message>
        <source>说明</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>依据文件（可选）</source>
        <translation>Supporting file (optional)</translation>
    </message>
    <message>
        <source>选择依据文件</source>
        <translation>Choose the supporting file</translation>
    </message>
    <message>
        <source>开始自查(&amp;C)</source>
        <translation>&amp;Check</translation>
    </message>
    <message>
        <source>人工填写(&amp;M)…</source>
        <translation>Answer &amp;manually…</translation>
    </message>
    <message>
        <source>导出 PDF…</source>
        <translation>Export PDF…</translation>
    </message>
    <message>
        <source>导出 Excel…</source>
        <translation>Export Excel…</translation>
    </message>
    <message>
        <source>生成文书草稿(&amp;D)</source>
        <translation>&amp;Draft document</translation>
    </message>
    <message>
        <source>仅显示已逾期(&amp;L)</source>
        <translation>Only &amp;late ones</translation>
    </message>
    <message>
        <source>期间(&amp;Q)</source>
        <translation>Period (&amp;Q)</translation>
    </message>
    <message>
        <source>范围(&amp;S)</source>
        <translation>&amp;Scope</translation>
    </message>
    <message>
        <source>问题清单</source>
        <translation>Gaps</translation>
    </message>
    <message>
        <source>投诉</source>
        <translation>Complaints</translation>
    </message>
    <message>
        <source>事故与漏判</source>
        <translation>Incidents and missed hazards</translation>
    </message>
    <message>
        <source>评价</source>
        <translation>Evaluations</translation>
    </message>
    <message>
        <source>请选择{scope}。</source>
        <translation>Please choose the {scope}.</translation>
    </message>
    <message>
        <source>正在逐项自查…</source>
        <translation>Checking item by item…</translation>
    </message>
    <message>
        <source>{scope}（{n} 个项目），{period}（{start} 至 {end}），截至 {as_of}：符合 {met} 项，不符合 {not_met} 项，不适用 {na} 项，待人工填写 {manual} 项</source>
        <translation>{scope} ({n} projects), {period} ({start} to {end}), as of {as_of}: {met} met, {not_met} not met, {na} not applicable, {manual} to answer</translation>
    </message>
    <message>
        <source>全部条目</source>
        <translation>all items</translation>
    </message>
    <message>
        <source>&lt;b&gt;问题清单&lt;/b&gt;（{what}：{n} 项，双击或回车打开相关记录）</source>
        <translation>&lt;b&gt;Gaps&lt;/b&gt; ({what}: {n}; double-click or Enter opens the record)</translation>
    </message>
    <message>
        <source>选择一个条目查看检查要点、判定方法和依据。</source>
        <translation>Choose an item to see what is checked, how it is decided and the evidence.</translation>
    </message>
    <message>
        <source>判定方法：{basis}</source>
        <translation>Decided by: {basis}</translation>
    </message>
    <message>
        <source>依据：{text}</source>
        <translation>Evidence: {text}</translation>
    </message>
    <message>
        <source>说明：{note}</source>
        <translation>Note: {note}</translation>
    </message>
    <message>
        <source>没有相关记录</source>
        <translation>No record to open</translation>
    </message>
    <message>
        <source>该问题属于全机构事项，没有可打开的单条记录。</source>
        <translation>This gap concerns the whole agency; there is no single record to open.</translation>
    </message>
    <message>
        <source>合规自查 {period}.{ext}</source>
        <translation>Self-check {period}.{ext}</translation>
    </message>
    <message>
        <source>PDF 文件 (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
    <message>
        <source>Excel 工作簿 (*.xlsx)</source>
        <translation>Excel workbooks (*.xlsx)</translation>
    </message>
    <message>
        <source>导出自查表</source>
        <translation>Export the self-check</translation>
    </message>
    <message>
        <source>正在导出自查表…</source>
        <translation>Exporting the self-check…</translation>
    </message>
    <message>
        <source>导出完成</source>
        <translation>Export finished</translation>
    </message>
    <message>
        <source>自查表（工作稿）已导出到：
{path}</source>
        <translation>The self-check (working copy) was written to:
{path}</translation>
    </message>
</context>
<context>
    <name>ConnectionPanel</name>
    <message>
        <source>数据库与附件库（多台电脑共用）</source>
        <translation>Database and attachment store (shared by several desks)</translation>
    </message>
    <message>
        <source>留空：本机 SQLite；共用：postgresql://用户:密码@服务器:5432/数据库名</source>
        <translation>Empty: local SQLite; shared: postgresql://user:password@server:5432/database</translation>
    </message>
    <message>
        <source>留空：数据目录下的 attachments；共用时填写各台电脑都能访问的共享文件夹</source>
        <translation>Empty: attachments in the data folder; shared: a folder every desk can reach</translation>
    </message>
    <message>
        <source>测试连接</source>
        <translation>Test connection</translation>
    </message>
    <message>
        <source>保存（重新启动后生效）</source>
        <translation>Save (takes effect after restart)</translation>
    </message>
    <message>
        <source>数据库地址</source>
        <translation>Database address</translation>
    </message>
    <message>
        <source>附件库目录</source>
        <translation>Attachment store folder</translation>
    </message>
    <message>
        <source>注意：环境变量 RISKDESK_DATABASE_URL 已设置，它优先于此处的地址。</source>
        <translation>Note: RISKDESK_DATABASE_URL is set and takes precedence over this address.</translation>
    </message>
    <message>
        <source>设置文件无法保存：{reason}</source>
        <translation>The settings file could not be saved: {reason}</translation>
    </message>
    <message>
        <source>已保存</source>
        <translation>Saved</translation>
    </message>
    <message>
        <source>新的数据库与附件库设置将在重新启动本软件后生效。</source>
        <translation>The new database and attachment store settings take effect when the application is restarted.</translation>
    </message>
</context>
<context>
    <name>Crash</name>
    <message>
        <source>程序错误</source>
        <translation>Program error</translation>
    </message>
    <message>
        <source>程序遇到了一个意外错误：{error}

已保存的数据不受影响，未保存的输入可能需要重新填写。详细信息已写入日志文件：
{log}

请将该文件发送给技术支持。</source>
        <translation>The program hit an unexpected error: {error}

Saved data is not affected; input that was not saved may have to be entered again. The details were written to the log file:
{log}

Please send this file to technical support.</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <source>一级隐患待报告（当日）</source>
        <translation>Level 1 hazards to report (same day)</translation>
    </message>
    <message>
        <source>逾期未整改隐患</source>
        <translation>Overdue hazards</translation>
    </message>
    <message>
        <source>未按期开展首次风险辨识的项目</source>
        <translation>Projects without a timely first risk identification</translation>
    </message>
    <message>
        <source>从未核查的一、二级风险源</source>
        <translation>Level 1/2 risk sources never verified</translation>
    </message>
    <message>
        <source>保存期满待处理的档案</source>
        <translation>Archive items past retention</translation>
    </message>
    <message>
        <source>本机构</source>
        <translation>Our agency</translation>
    </message>
    <message>
        <source>待办事项</source>
        <translation>To do</translation>
    </message>
    <message>
        <source>{name}（{role}），您好。今天是 {date}。</source>
        <translation>Hello, {name} ({role}). Today is {date}.</translation>
    </message>
    <message>
        <source>依据：{rule}</source>
        <translation>Rule: {rule}</translation>
    </message>
    <message>
        <source>尚未登记机构信息。</source>
        <translation>The agency&apos;s details have not been entered yet.</translation>
    </message>
    <message>
        <source>机构名称</source>
        <translation>Agency name</translation>
    </message>
    <message>
        <source>简称</source>
        <translation>Short name</translation>
    </message>
    <message>
        <source>统一社会信用代码</source>
        <translation>Unified social credit code</translation>
    </message>
    <message>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>电话</source>
        <translation>Telephone</translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <source>数据错误</source>
        <translation>Data error</translation>
    </message>
    <message>
        <source>没有权限</source>
        <translation>Not permitted</translation>
    </message>
    <message>
        <source>记录已被他人修改</source>
        <translation>Changed by someone else</translation>
    </message>
    <message>
        <source>操作未完成</source>
        <translation>Not done</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>正在取消，请稍候…</source>
        <translation>Cancelling, please wait…</translation>
    </message>
</context>
<context>
    <name>DocumentDialogs</name>
    <message>
        <source>隐患整改通知书</source>
        <translation>Hazard rectification notice</translation>
    </message>
    <message>
        <source>停工（局部停工）建议书</source>
        <translation>Stop-work (partial) recommendation</translation>
    </message>
    <message>
        <source>重大隐患报告单</source>
        <translation>Major hazard report</translation>
    </message>
    <message>
        <source>复查销项单</source>
        <translation>Re-inspection close-out record</translation>
    </message>
    <message>
        <source>拒不整改（拖延整改）情况报告</source>
        <translation>Report on refused (delayed) rectification</translation>
    </message>
    <message>
        <source>检查记录</source>
        <translation>Inspection record</translation>
    </message>
    <message>
        <source>事故预防技术服务工作方案</source>
        <translation>Accident-prevention service work plan</translation>
    </message>
    <message>
        <source>安全教育培训记录</source>
        <translation>Safety training record</translation>
    </message>
    <message>
        <source>应急演练记录及评估报告</source>
        <translation>Emergency drill record and evaluation</translation>
    </message>
    <message>
        <source>档案目录</source>
        <translation>Archive catalogue</translation>
    </message>
    <message>
        <source>档案销毁审批表</source>
        <translation>Archive destruction approval form</translation>
    </message>
    <message>
        <source>隐患排查及问题整改清单</source>
        <translation>Hazard inspection and rectification list</translation>
    </message>
    <message>
        <source>安全生产分析报告</source>
        <translation>Work-safety analysis report</translation>
    </message>
    <message>
        <source>风险评估报告</source>
        <translation>Risk assessment report</translation>
    </message>
    <message>
        <source>安责险第三方风控服务机构检查表（自查）</source>
        <translation>Third-party risk-control agency checklist (self-check)</translation>
    </message>
    <message>
        <source>系统报送</source>
        <translation>Online system</translation>
    </message>
    <message>
        <source>电子邮件</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>书面送达</source>
        <translation>Delivered on paper</translation>
    </message>
    <message>
        <source>传真</source>
        <translation>Fax</translation>
    </message>
    <message>
        <source>生成文书草稿</source>
        <translation>Generate document draft</translation>
    </message>
    <message>
        <source>如 2026-03、2026Q3、2026H1 或 2026</source>
        <translation>e.g. 2026-03, 2026Q3, 2026H1 or 2026</translation>
    </message>
    <message>
        <source>文书类别</source>
        <translation>Document type</translation>
    </message>
    <message>
        <source>期间</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>范围</source>
        <translation>Scope</translation>
    </message>
    <message>
        <source>本机构（全部项目）</source>
        <translation>This agency (all projects)</translation>
    </message>
    <message>
        <source>整改通知书、停工建议书、检查记录等按记录出具的文书，请在该隐患、检查或项目页生成。</source>
        <translation>Documents issued for one record (rectification notices, stop-work recommendations, inspection records…) are generated from that hazard, inspection or project page.</translation>
    </message>
    <message>
        <source>更正文书：{number}</source>
        <translation>Correct document: {number}</translation>
    </message>
    <message>
        <source>写明需要更正的内容和原因</source>
        <translation>What needs correcting, and why</translation>
    </message>
    <message>
        <source>将按当前数据生成第 {n} 版草稿，保持原文号；第 {n} 版签发后，原版本标记为已被替代。</source>
        <translation>A draft of revision {n} is generated from the current data under the same number; once revision {n} is signed, the earlier revision is marked superseded.</translation>
    </message>
    <message>
        <source>文书</source>
        <translation>Document</translation>
    </message>
    <message>
        <source>更正原因</source>
        <translation>Reason for correction</translation>
    </message>
    <message>
        <source>请填写更正原因</source>
        <translation>Please enter the reason for the correction</translation>
    </message>
    <message>
        <source>登记报送：{number}</source>
        <translation>Record submission: {number}</translation>
    </message>
    <message>
        <source>报送对象</source>
        <translation>Recipient</translation>
    </message>
    <message>
        <source>报送单位</source>
        <translation>Recipient organisation</translation>
    </message>
    <message>
        <source>报送时间</source>
        <translation>Submitted at</translation>
    </message>
    <message>
        <source>报送方式</source>
        <translation>Channel</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>（按项目自动确定）</source>
        <translation>(from the project)</translation>
    </message>
</context>
<context>
    <name>DocumentPreview</name>
    <message>
        <source>选择一份文书，在这里预览。</source>
        <translation>Select a document to preview it here.</translation>
    </message>
    <message>
        <source>文书文件缺失：{path}
请运行数据检查，或重新生成草稿。</source>
        <translation>The document&apos;s file is missing: {path}
Run the data check, or generate the draft again.</translation>
    </message>
    <message>
        <source>文书文件无法打开（不是有效的 PDF）：{path}</source>
        <translation>The document&apos;s file cannot be opened (not a valid PDF): {path}</translation>
    </message>
</context>
<context>
    <name>DocumentsPage</name>
    <message>
        <source>本机构</source>
        <translation>Agency</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>建设主管部门</source>
        <translation>Authority</translation>
    </message>
    <message>
        <source>隐患</source>
        <translation>Hazard</translation>
    </message>
    <message>
        <source>检查</source>
        <translation>Inspection</translation>
    </message>
    <message>
        <source>隐患督办</source>
        <translation>Escalation</translation>
    </message>
    <message>
        <source>培训</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>应急演练</source>
        <translation>Drill</translation>
    </message>
    <message>
        <source>服务方案</source>
        <translation>Service plan</translation>
    </message>
    <message>
        <source>档案销毁申请</source>
        <translation>Destruction request</translation>
    </message>
    <message>
        <source>（签发时编号）</source>
        <translation>(numbered when signed)</translation>
    </message>
    <message>
        <source>报送记录</source>
        <translation>Submissions</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>期间</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>全部类别</source>
        <translation>All types</translation>
    </message>
    <message>
        <source>全部状态</source>
        <translation>All statuses</translation>
    </message>
    <message>
        <source>如 2026Q3</source>
        <translation>e.g. 2026Q3</translation>
    </message>
    <message>
        <source>搜索文号或标题</source>
        <translation>Search number or title</translation>
    </message>
    <message>
        <source>生成草稿…</source>
        <translation>Generate draft…</translation>
    </message>
    <message>
        <source>签发</source>
        <translation>Sign</translation>
    </message>
    <message>
        <source>更正（出具新版本）…</source>
        <translation>Correct (new revision)…</translation>
    </message>
    <message>
        <source>登记报送…</source>
        <translation>Record submission…</translation>
    </message>
    <message>
        <source>删除草稿</source>
        <translation>Delete draft</translation>
    </message>
    <message>
        <source>打开文件</source>
        <translation>Open file</translation>
    </message>
    <message>
        <source>查看历史</source>
        <translation>History</translation>
    </message>
    <message>
        <source>共 {n} 份</source>
        <translation>{n} documents</translation>
    </message>
    <message>
        <source>选择一份文书，在这里预览。</source>
        <translation>Select a document to preview it here.</translation>
    </message>
    <message>
        <source>{kind}，第 {n} 版，{status}</source>
        <translation>{kind}, revision {n}, {status}</translation>
    </message>
    <message>
        <source>{who} 生成于 {at}</source>
        <translation>generated by {who} at {at}</translation>
    </message>
    <message>
        <source>{who} 签发于 {at}</source>
        <translation>signed by {who} at {at}</translation>
    </message>
    <message>
        <source>更正原因：{reason}</source>
        <translation>Reason for correction: {reason}</translation>
    </message>
    <message>
        <source>无法预览该文书：{reason}</source>
        <translation>Cannot preview this document: {reason}</translation>
    </message>
    <message>
        <source>只有技术负责人可以签发文书</source>
        <translation>Only the technical lead can sign documents</translation>
    </message>
    <message>
        <source>正在生成文书草稿…</source>
        <translation>Generating the document draft…</translation>
    </message>
    <message>
        <source>草稿已生成</source>
        <translation>Draft generated</translation>
    </message>
    <message>
        <source>已生成“{title}”草稿；当前筛选条件下未显示。</source>
        <translation>The draft “{title}” was generated; the current filters hide it.</translation>
    </message>
    <message>
        <source>签发“{title}”？
签发后将编定文号、生成正式文件并记录签发人，文书不能再修改，只能通过更正出具新版本。</source>
        <translation>Sign “{title}”?
Signing fixes its number, produces the final file and records the signer; the document can no longer change, only be corrected by a new revision.</translation>
    </message>
    <message>
        <source>签发文书</source>
        <translation>Sign document</translation>
    </message>
    <message>
        <source>正在签发文书…</source>
        <translation>Signing the document…</translation>
    </message>
    <message>
        <source>已签发</source>
        <translation>Signed</translation>
    </message>
    <message>
        <source>“{title}”已签发，文号：{number}</source>
        <translation>“{title}” is signed, number: {number}</translation>
    </message>
    <message>
        <source>正在生成更正版本…</source>
        <translation>Generating the corrected revision…</translation>
    </message>
    <message>
        <source>删除草稿“{title}”及其文件？</source>
        <translation>Delete the draft “{title}” and its file?</translation>
    </message>
    <message>
        <source>文件缺失</source>
        <translation>File missing</translation>
    </message>
    <message>
        <source>文书文件缺失：{path}</source>
        <translation>The document&apos;s file is missing: {path}</translation>
    </message>
    <message>
        <source>草稿</source>
        <translation>Draft</translation>
    </message>
    <message>
        <source>无法打开文件</source>
        <translation>Cannot open the file</translation>
    </message>
    <message>
        <source>没有可打开 PDF 的程序。文件已复制到：{path}</source>
        <translation>No program to open PDF files. The file was copied to: {path}</translation>
    </message>
    <message>
        <source>文书历史：{title}</source>
        <translation>Document history: {title}</translation>
    </message>
</context>
<context>
    <name>FeeLedger</name>
    <message>
        <source>预算（预防费用拨付）</source>
        <translation>Budget (prevention fee allocated)</translation>
    </message>
    <message>
        <source>服务支出</source>
        <translation>Service expense</translation>
    </message>
    <message>
        <source>调整</source>
        <translation>Adjustment</translation>
    </message>
    <message>
        <source>风险辨识与隐患排查</source>
        <translation>Risk identification and hazard inspection</translation>
    </message>
    <message>
        <source>安全教育培训</source>
        <translation>Safety training</translation>
    </message>
    <message>
        <source>应急演练</source>
        <translation>Emergency drill</translation>
    </message>
    <message>
        <source>应急预案编制</source>
        <translation>Emergency plan preparation</translation>
    </message>
    <message>
        <source>服务成果与报告</source>
        <translation>Service results and reports</translation>
    </message>
    <message>
        <source>技术咨询</source>
        <translation>Technical consulting</translation>
    </message>
    <message>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <source>{n} 次未列支</source>
        <translation>{n} not booked</translation>
    </message>
    <message>
        <source>已列支</source>
        <translation>Booked</translation>
    </message>
    <message>
        <source>登记预防费用</source>
        <translation>Record prevention fee</translation>
    </message>
    <message>
        <source>元，如 3000 或 3,000.00；调整可为负数</source>
        <translation>CNY, e.g. 3000 or 3,000.00; an adjustment may be negative</translation>
    </message>
    <message>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>服务类别</source>
        <translation>Service type</translation>
    </message>
    <message>
        <source>金额（元）</source>
        <translation>Amount (CNY)</translation>
    </message>
    <message>
        <source>摘要</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>作废台账记录</source>
        <translation>Void ledger entry</translation>
    </message>
    <message>
        <source>{date}&#x3000;{kind}&#x3000;{amount} 元&#x3000;{text}</source>
        <translation>{date}  {kind}  CNY {amount}  {text}</translation>
    </message>
    <message>
        <source>记录</source>
        <translation>Entry</translation>
    </message>
    <message>
        <source>作废原因</source>
        <translation>Reason for voiding</translation>
    </message>
    <message>
        <source>保单(&amp;P)</source>
        <translation>&amp;Policy</translation>
    </message>
    <message>
        <source>按保单开立预算(&amp;B)</source>
        <translation>Open &amp;budget from policy</translation>
    </message>
    <message>
        <source>登记费用(&amp;A)…</source>
        <translation>&amp;Add entry…</translation>
    </message>
    <message>
        <source>作废(&amp;V)…</source>
        <translation>&amp;Void…</translation>
    </message>
    <message>
        <source>服务提供与列支</source>
        <translation>Services delivered and booked</translation>
    </message>
    <message>
        <source>该项目尚未登记安责险保单，无法建立预防费用台账（N-17）。</source>
        <translation>No safety liability insurance policy is recorded for this project, so there is no prevention-fee ledger (N-17).</translation>
    </message>
    <message>
        <source>保单 {no}（{insurer}，{period}）：预算 {budget} 元，调整 {adjust} 元，服务支出 {spent} 元，余额 {balance} 元</source>
        <translation>Policy {no} ({insurer}, {period}): budget CNY {budget}, adjustments CNY {adjust}, services CNY {spent}, balance CNY {balance}</translation>
    </message>
    <message>
        <source>已超支 {amount} 元：预防费用应专款专用、据实列支，请核对。</source>
        <translation>Overspent by CNY {amount}: prevention fees must be spent only on prevention and as actually incurred. Please check.</translation>
    </message>
    <message>
        <source>尚未登记预算。</source>
        <translation>No budget recorded yet.</translation>
    </message>
    <message>
        <source>登记的预算与保单约定的预防费用 {fee} 元不一致。</source>
        <translation>The budget recorded differs from the prevention fee of CNY {fee} stated in the policy.</translation>
    </message>
    <message>
        <source>有 {n} 次已提供的服务尚未列支。</source>
        <translation>{n} service(s) delivered but not yet booked.</translation>
    </message>
    <message>
        <source>台账中还没有记录。</source>
        <translation>The ledger has no entries yet.</translation>
    </message>
</context>
<context>
    <name>FirstRun</name>
    <message>
        <source>请填写机构名称</source>
        <translation>Please enter the agency&apos;s name</translation>
    </message>
    <message>
        <source>统一社会信用代码应为 18 位且校验位正确</source>
        <translation>The unified social credit code must have 18 characters and a correct check character</translation>
    </message>
    <message>
        <source>请填写用户名</source>
        <translation>Please enter a user name</translation>
    </message>
    <message>
        <source>用户名不能包含空格</source>
        <translation>The user name cannot contain spaces</translation>
    </message>
    <message>
        <source>请填写管理员姓名</source>
        <translation>Please enter the administrator&apos;s name</translation>
    </message>
    <message>
        <source>两次输入的密码不一致</source>
        <translation>The two passwords do not match</translation>
    </message>
    <message>
        <source>请填写完整路径（绝对路径）</source>
        <translation>Please enter a full (absolute) path</translation>
    </message>
    <message>
        <source>该路径是一个文件，不是文件夹</source>
        <translation>This path is a file, not a folder</translation>
    </message>
    <message>
        <source>该文件夹无法创建</source>
        <translation>This folder cannot be created</translation>
    </message>
    <message>
        <source>首次使用设置 - {title}</source>
        <translation>First-time setup - {title}</translation>
    </message>
    <message>
        <source>机构信息</source>
        <translation>Agency details</translation>
    </message>
    <message>
        <source>这些信息会出现在文书的抬头和落款中，以后可以在设置中修改。</source>
        <translation>These details appear in the heading and signature block of documents; they can be changed later in Settings.</translation>
    </message>
    <message>
        <source>机构名称（必填）</source>
        <translation>Agency name (required)</translation>
    </message>
    <message>
        <source>简称</source>
        <translation>Short name</translation>
    </message>
    <message>
        <source>统一社会信用代码</source>
        <translation>Unified social credit code</translation>
    </message>
    <message>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>电话</source>
        <translation>Telephone</translation>
    </message>
    <message>
        <source>系统管理员</source>
        <translation>System administrator</translation>
    </message>
    <message>
        <source>第一个账户是系统管理员，负责创建其他用户和修改系统设置。</source>
        <translation>The first account is the system administrator, who creates the other users and changes system settings.</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>确认密码</source>
        <translation>Confirm password</translation>
    </message>
    <message>
        <source>密码至少 8 位，须同时包含字母和数字（或符号）。</source>
        <translation>At least 8 characters, with both letters and digits (or symbols).</translation>
    </message>
    <message>
        <source>数据存放位置</source>
        <translation>Where data is kept</translation>
    </message>
    <message>
        <source>数据库保存在数据目录中；附件和备份可以放在其他磁盘或共享文件夹。</source>
        <translation>The database is kept in the data folder; attachments and backups may be on another disk or a shared folder.</translation>
    </message>
    <message>
        <source>数据目录</source>
        <translation>Data folder</translation>
    </message>
    <message>
        <source>数据库</source>
        <translation>Database</translation>
    </message>
    <message>
        <source>附件库</source>
        <translation>Attachments</translation>
    </message>
    <message>
        <source>备份目录</source>
        <translation>Backup folder</translation>
    </message>
    <message>
        <source>留空则使用数据目录中的默认文件夹。更换数据目录请设置环境变量 RISKDESK_DATA_DIR 或使用命令行参数 --data-dir。</source>
        <translation>Leave empty to use the default folders inside the data folder. To use another data folder, set the RISKDESK_DATA_DIR environment variable or pass --data-dir on the command line.</translation>
    </message>
    <message>
        <source>浏览…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>选择文件夹</source>
        <translation>Choose a folder</translation>
    </message>
</context>
<context>
    <name>HazardActions</name>
    <message>
        <source>下发整改通知</source>
        <translation>Issue rectification notice</translation>
    </message>
    <message>
        <source>登记通知送达</source>
        <translation>Record notice delivered</translation>
    </message>
    <message>
        <source>登记销项申请</source>
        <translation>Record closure submitted</translation>
    </message>
    <message>
        <source>复查销项</source>
        <translation>Verify and close</translation>
    </message>
    <message>
        <source>复查退回</source>
        <translation>Send back</translation>
    </message>
    <message>
        <source>登记拒不整改/拖延整改</source>
        <translation>Record refusal/delay</translation>
    </message>
    <message>
        <source>撤销隐患</source>
        <translation>Cancel hazard</translation>
    </message>
    <message>
        <source>登记隐患</source>
        <translation>Hazard recorded</translation>
    </message>
    <message>
        <source>登记对外报告</source>
        <translation>Record report made</translation>
    </message>
    <message>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>传真</source>
        <translation>Fax</translation>
    </message>
    <message>
        <source>邮件</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>系统</source>
        <translation>Online system</translation>
    </message>
    <message>
        <source>书面</source>
        <translation>In writing</translation>
    </message>
    <message>
        <source>{step}：{number}</source>
        <translation>{step}: {number}</translation>
    </message>
    <message>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>一级隐患：同时出具停工（局部停工）建议书，并于当日报告承保机构和主管部门（N-07）。</source>
        <translation>Level 1 hazard: issue the (partial) stop-work suggestion as well, and report to the insurer and the authority the same day (N-07).</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>签收人 *</source>
        <translation>Received by *</translation>
    </message>
    <message>
        <source>三、四级隐患由监理单位确认整改后提交（N-09）</source>
        <translation>Level 3/4: submitted once the supervision unit confirms the rectification (N-09)</translation>
    </message>
    <message>
        <source>整改后照片 *</source>
        <translation>Photos after rectification *</translation>
    </message>
    <message>
        <source>监理确认人</source>
        <translation>Confirmed by (supervisor)</translation>
    </message>
    <message>
        <source>已现场复查，复查日期：</source>
        <translation>Re-inspected on site on:</translation>
    </message>
    <message>
        <source>复查意见</source>
        <translation>Re-inspection opinion</translation>
    </message>
    <message>
        <source>复查</source>
        <translation>Re-inspection</translation>
    </message>
    <message>
        <source>复查发现的问题，须重新整改的内容</source>
        <translation>What the re-inspection found and what must be redone</translation>
    </message>
    <message>
        <source>退回原因 *</source>
        <translation>Reason for sending back *</translation>
    </message>
    <message>
        <source>拒不整改</source>
        <translation>Refused</translation>
    </message>
    <message>
        <source>拖延整改（已过整改期限）</source>
        <translation>Delayed (deadline passed)</translation>
    </message>
    <message>
        <source>经过和责任单位的答复</source>
        <translation>What happened and the responsible unit&apos;s answer</translation>
    </message>
    <message>
        <source>登记后须向承保机构、主管部门和建设单位报告（N-11）。</source>
        <translation>Once recorded, report to the insurer, the authority and the owner (N-11).</translation>
    </message>
    <message>
        <source>情形</source>
        <translation>Situation</translation>
    </message>
    <message>
        <source>情况说明</source>
        <translation>Account</translation>
    </message>
    <message>
        <source>如：误判、重复登记</source>
        <translation>e.g. misjudged, recorded twice</translation>
    </message>
    <message>
        <source>撤销原因 *</source>
        <translation>Reason for cancelling *</translation>
    </message>
    <message>
        <source>接收人、文书编号等</source>
        <translation>Recipient, document number and the like</translation>
    </message>
    <message>
        <source>{reason}&#x3000;报告对象：{recipient}</source>
        <translation>{reason}, to: {recipient}</translation>
    </message>
    <message>
        <source>报告时间</source>
        <translation>Reported at</translation>
    </message>
    <message>
        <source>报告方式 *</source>
        <translation>Channel *</translation>
    </message>
</context>
<context>
    <name>HazardDialog</name>
    <message>
        <source>红色</source>
        <translation>Red</translation>
    </message>
    <message>
        <source>橙色</source>
        <translation>Orange</translation>
    </message>
    <message>
        <source>黄色</source>
        <translation>Yellow</translation>
    </message>
    <message>
        <source>蓝色</source>
        <translation>Blue</translation>
    </message>
    <message>
        <source>修改隐患</source>
        <translation>Edit hazard</translation>
    </message>
    <message>
        <source>登记隐患</source>
        <translation>Record hazard</translation>
    </message>
    <message>
        <source>对照重大事故隐患判定标准…</source>
        <translation>Check against the major-hazard standard…</translation>
    </message>
    <message>
        <source>不是重大隐患</source>
        <translation>Not a major hazard</translation>
    </message>
    <message>
        <source>未对照判定条目（一般隐患）</source>
        <translation>No criterion chosen (ordinary hazard)</translation>
    </message>
    <message>
        <source>⚠ 未经核对原文：出具文书前请核对标准原文</source>
        <translation>⚠ Not checked against the original: check the standard before issuing documents</translation>
    </message>
    <message>
        <source>如：高处坠落、物体打击、触电</source>
        <translation>e.g. fall from height, struck by object, electric shock</translation>
    </message>
    <message>
        <source>可能引发安全事故（较严重，须报告承保机构和主管部门）</source>
        <translation>May cause an accident (serious: report to the insurer and the authority)</translation>
    </message>
    <message>
        <source>一、二级隐患必填：整改期间的防范和应急措施</source>
        <translation>Required for level 1/2: precautions and emergency measures until rectified</translation>
    </message>
    <message>
        <source>现场照片（整改前）</source>
        <translation>Site photos (before)</translation>
    </message>
    <message>
        <source>项目 *</source>
        <translation>Project *</translation>
    </message>
    <message>
        <source>检查记录</source>
        <translation>Inspection</translation>
    </message>
    <message>
        <source>重大隐患判定</source>
        <translation>Major-hazard judgement</translation>
    </message>
    <message>
        <source>部位</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>隐患描述 *</source>
        <translation>Description *</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>发现时间</source>
        <translation>Found at</translation>
    </message>
    <message>
        <source>隐患等级 *</source>
        <translation>Level *</translation>
    </message>
    <message>
        <source>停工建议</source>
        <translation>Stop-work suggestion</translation>
    </message>
    <message>
        <source>整改措施 *</source>
        <translation>Measures *</translation>
    </message>
    <message>
        <source>整改期限 *</source>
        <translation>Deadline *</translation>
    </message>
    <message>
        <source>应急预案</source>
        <translation>Contingency</translation>
    </message>
    <message>
        <source>责任单位 *</source>
        <translation>Responsible unit *</translation>
    </message>
    <message>
        <source>责任人</source>
        <translation>Responsible person</translation>
    </message>
    <message>
        <source>监理单位</source>
        <translation>Supervision unit</translation>
    </message>
    <message>
        <source>（请选择项目）</source>
        <translation>(choose a project)</translation>
    </message>
    <message>
        <source>（未指定）</source>
        <translation>(not set)</translation>
    </message>
    <message>
        <source>（不关联检查）</source>
        <translation>(no inspection)</translation>
    </message>
    <message>
        <source>重大事故隐患：{ref}</source>
        <translation>Major hazard: {ref}</translation>
    </message>
    <message>
        <source>请选择项目</source>
        <translation>Choose a project</translation>
    </message>
    <message>
        <source>正在登记隐患…</source>
        <translation>Recording the hazard…</translation>
    </message>
    <message>
        <source>该项目已有一项相似的未销项隐患：
{number}  {location}
{description}
（{reason}）

是否作为该隐患的重复隐患登记，并与之关联？
选择“否”返回修改，不保存。</source>
        <translation>The project already has a similar open hazard:
{number}  {location}
{description}
({reason})

Record this one as a repeat of it and link them?
Choose No to go back without saving.</translation>
    </message>
    <message>
        <source>可能是重复隐患</source>
        <translation>Possibly a repeat hazard</translation>
    </message>
    <message>
        <source>正在保存照片…</source>
        <translation>Saving photos…</translation>
    </message>
    <message>
        <source>部分照片未保存</source>
        <translation>Some photos were not saved</translation>
    </message>
    <message>
        <source>正在保存…</source>
        <translation>Saving…</translation>
    </message>
</context>
<context>
    <name>HazardPage</name>
    <message>
        <source>整改通知书</source>
        <translation>rectification notice</translation>
    </message>
    <message>
        <source>停工建议书</source>
        <translation>stop-work suggestion</translation>
    </message>
    <message>
        <source>重大隐患报告单</source>
        <translation>major-hazard report</translation>
    </message>
    <message>
        <source>复查销项单</source>
        <translation>closure record</translation>
    </message>
    <message>
        <source>待报告</source>
        <translation>Due</translation>
    </message>
    <message>
        <source>已报告</source>
        <translation>Reported</translation>
    </message>
    <message>
        <source>已作废</source>
        <translation>Void</translation>
    </message>
    <message>
        <source>签收人：{v}</source>
        <translation>Received by: {v}</translation>
    </message>
    <message>
        <source>监理确认人：{v}</source>
        <translation>Confirmed by: {v}</translation>
    </message>
    <message>
        <source>复查日期：{v}</source>
        <translation>Re-inspected: {v}</translation>
    </message>
    <message>
        <source>方式：{v}</source>
        <translation>Channel: {v}</translation>
    </message>
    <message>
        <source>报告{v}</source>
        <translation>Reported to {v}</translation>
    </message>
    <message>
        <source>拒不整改</source>
        <translation>Refused</translation>
    </message>
    <message>
        <source>拖延整改</source>
        <translation>Delayed</translation>
    </message>
    <message>
        <source>修改…</source>
        <translation>Edit…</translation>
    </message>
    <message>
        <source>修改记录…</source>
        <translation>Change history…</translation>
    </message>
    <message>
        <source>登记报告…</source>
        <translation>Record report…</translation>
    </message>
    <message>
        <source>整改前照片</source>
        <translation>Photos before</translation>
    </message>
    <message>
        <source>整改后照片</source>
        <translation>Photos after</translation>
    </message>
    <message>
        <source>隐患情况</source>
        <translation>Hazard</translation>
    </message>
    <message>
        <source>对外报告（N-07、N-08、N-11）</source>
        <translation>Reports owed (N-07, N-08, N-11)</translation>
    </message>
    <message>
        <source>处理经过</source>
        <translation>History</translation>
    </message>
    <message>
        <source>文书</source>
        <translation>Documents</translation>
    </message>
    <message>
        <source>隐患 {number}</source>
        <translation>Hazard {number}</translation>
    </message>
    <message>
        <source>重大事故隐患</source>
        <translation>Major hazard</translation>
    </message>
    <message>
        <source>逾期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <source>已登记拒改/拖延</source>
        <translation>Refusal/delay recorded</translation>
    </message>
    <message>
        <source>重复 {number}</source>
        <translation>Repeats {number}</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>部位</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>隐患描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>判定依据</source>
        <translation>Criterion</translation>
    </message>
    <message>
        <source>发现时间</source>
        <translation>Found at</translation>
    </message>
    <message>
        <source>检查记录</source>
        <translation>Inspection</translation>
    </message>
    <message>
        <source>整改措施</source>
        <translation>Measures</translation>
    </message>
    <message>
        <source>整改期限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <source>应急预案</source>
        <translation>Contingency</translation>
    </message>
    <message>
        <source>责任单位</source>
        <translation>Responsible unit</translation>
    </message>
    <message>
        <source>监理单位</source>
        <translation>Supervision unit</translation>
    </message>
    <message>
        <source>停工建议</source>
        <translation>Stop-work suggestion</translation>
    </message>
    <message>
        <source>重复隐患</source>
        <translation>Repeat of</translation>
    </message>
    <message>
        <source>登记人</source>
        <translation>Recorded by</translation>
    </message>
    <message>
        <source>生成{what}草稿</source>
        <translation>Draft {what}</translation>
    </message>
    <message>
        <source>正在生成文书草稿…</source>
        <translation>Drafting the document…</translation>
    </message>
    <message>
        <source>已生成“{title}”草稿。是否现在打开查看？</source>
        <translation>The draft &quot;{title}&quot; is ready. Open it now?</translation>
    </message>
    <message>
        <source>文书草稿</source>
        <translation>Document draft</translation>
    </message>
    <message>
        <source>无法打开文书</source>
        <translation>Cannot open the document</translation>
    </message>
</context>
<context>
    <name>HazardsPage</name>
    <message>
        <source>（逾期）</source>
        <translation> (overdue)</translation>
    </message>
    <message>
        <source> ★重大</source>
        <translation> ★major</translation>
    </message>
    <message>
        <source>正在查询…</source>
        <translation>Querying…</translation>
    </message>
    <message>
        <source>已加载 {n} 条…</source>
        <translation>{n} loaded…</translation>
    </message>
    <message>
        <source>登记隐患…</source>
        <translation>Record hazard…</translation>
    </message>
    <message>
        <source>导出 Excel…</source>
        <translation>Export to Excel…</translation>
    </message>
    <message>
        <source>显示全部隐患</source>
        <translation>Show all hazards</translation>
    </message>
    <message>
        <source>仅显示：{what}（{n} 条）</source>
        <translation>Showing only: {what} ({n})</translation>
    </message>
    <message>
        <source>正在导出隐患台账…</source>
        <translation>Exporting the hazard register…</translation>
    </message>
    <message>
        <source>已导出 {n} 条隐患到：
{path}</source>
        <translation>Exported {n} hazards to:
{path}</translation>
    </message>
    <message>
        <source>导出完成</source>
        <translation>Export finished</translation>
    </message>
    <message>
        <source>隐患台账 {date}.xlsx</source>
        <translation>Hazard register {date}.xlsx</translation>
    </message>
    <message>
        <source>导出当前视图</source>
        <translation>Export the current view</translation>
    </message>
    <message>
        <source>Excel 工作簿 (*.xlsx)</source>
        <translation>Excel workbook (*.xlsx)</translation>
    </message>
    <message>
        <source>共 {n} 条</source>
        <translation>{n} in total</translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message>
        <source>该记录还没有变更历史。</source>
        <translation>This record has no history yet.</translation>
    </message>
    <message>
        <source>变更历史</source>
        <translation>History</translation>
    </message>
</context>
<context>
    <name>ImportWizard</name>
    <message>
        <source>项目及保单清单</source>
        <translation>Projects and policies</translation>
    </message>
    <message>
        <source>隐患清单</source>
        <translation>Hazard list</translation>
    </message>
    <message>
        <source>选择文件…</source>
        <translation>Choose file…</translation>
    </message>
    <message>
        <source>预览</source>
        <translation>Preview</translation>
    </message>
    <message>
        <source>全部导入</source>
        <translation>Import all</translation>
    </message>
    <message>
        <source>导入内容</source>
        <translation>Import</translation>
    </message>
    <message>
        <source>Excel 文件</source>
        <translation>Excel file</translation>
    </message>
    <message>
        <source>先预览：程序会逐行检查并列出每个问题所在的工作表、行和列，不写入任何数据。只有全部行都没有问题时才能导入；导入要么全部成功，要么一条也不写入。</source>
        <translation>Preview first: every row is checked and each problem is listed by sheet, row and column, without writing anything. Only a file without problems can be imported, and the import writes every row or none.</translation>
    </message>
    <message>
        <source>您的角色不能导入数据。</source>
        <translation>Your role cannot import data.</translation>
    </message>
    <message>
        <source>选择要导入的 Excel 文件</source>
        <translation>Choose the Excel file to import</translation>
    </message>
    <message>
        <source>正在读取工作簿…</source>
        <translation>Reading the workbook…</translation>
    </message>
    <message>
        <source>正在逐行检查…</source>
        <translation>Checking every row…</translation>
    </message>
    <message>
        <source>工作表“{sheet}”：数据 {rows} 行，可新增 {new} 条，已存在跳过 {existing} 条，问题 {problems} 个。</source>
        <translation>Sheet “{sheet}”: {rows} rows, {new} new, {existing} already present (skipped), {problems} problems.</translation>
    </message>
    <message>
        <source>已导入 {new} 条。</source>
        <translation>{new} imported.</translation>
    </message>
    <message>
        <source>列对应：{mapping}</source>
        <translation>Columns: {mapping}</translation>
    </message>
    <message>
        <source>正在导入…</source>
        <translation>Importing…</translation>
    </message>
    <message>
        <source>导入完成</source>
        <translation>Import finished</translation>
    </message>
    <message>
        <source>已导入 {new} 条，已存在跳过 {existing} 条。</source>
        <translation>{new} imported, {existing} already present (skipped).</translation>
    </message>
    <message>
        <source>发现 {count} 个问题，未写入任何数据。请按列表修改 Excel 文件后重新预览。</source>
        <translation>{count} problems found; nothing was written. Correct the Excel file as listed and preview again.</translation>
    </message>
    <message>
        <source>导入未执行</source>
        <translation>Import not done</translation>
    </message>
</context>
<context>
    <name>InspectionDialog</name>
    <message>
        <source>待登记</source>
        <translation>Not yet recorded</translation>
    </message>
    <message>
        <source>检查记录</source>
        <translation>Inspection record</translation>
    </message>
    <message>
        <source>新建检查</source>
        <translation>New inspection</translation>
    </message>
    <message>
        <source>检查信息</source>
        <translation>Inspection</translation>
    </message>
    <message>
        <source>如 晴 28℃</source>
        <translation>e.g. sunny, 28 °C</translation>
    </message>
    <message>
        <source>检查范围、过程和总体情况</source>
        <translation>Scope, course and overall findings of the inspection</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>检查类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>检查日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>施工阶段</source>
        <translation>Construction stage</translation>
    </message>
    <message>
        <source>危大工程</source>
        <translation>Dangerous works</translation>
    </message>
    <message>
        <source>关键工序</source>
        <translation>Key procedure</translation>
    </message>
    <message>
        <source>检查人员</source>
        <translation>Inspectors</translation>
    </message>
    <message>
        <source>天气</source>
        <translation>Weather</translation>
    </message>
    <message>
        <source>检查情况</source>
        <translation>Summary</translation>
    </message>
    <message>
        <source>双方确认(&amp;C)</source>
        <translation>&amp;Confirm by both sides</translation>
    </message>
    <message>
        <source>项目方确认人</source>
        <translation>Confirmed on site by</translation>
    </message>
    <message>
        <source>（不指定）</source>
        <translation>(not specified)</translation>
    </message>
    <message>
        <source>尚无在建项目，请先新建项目。</source>
        <translation>There is no project under construction yet. Create a project first.</translation>
    </message>
    <message>
        <source>超危大</source>
        <translation>beyond-scale dangerous works</translation>
    </message>
    <message>
        <source>危大</source>
        <translation>dangerous works</translation>
    </message>
    <message>
        <source>一、二级风险源核查（全覆盖检查须逐项核查，N-04）</source>
        <translation>Level 1/2 risk sources (a full-coverage inspection verifies each one, N-04)</translation>
    </message>
    <message>
        <source>全部核查(&amp;A)</source>
        <translation>Verify &amp;all</translation>
    </message>
    <message>
        <source>已核查 {done} / {total} 项</source>
        <translation>{done} of {total} verified</translation>
    </message>
    <message>
        <source>该项目没有在用的一、二级风险源（可在项目的“风险源”页登记）。</source>
        <translation>The project has no active level 1/2 risk source (register them on the project&apos;s Risk sources tab).</translation>
    </message>
    <message>
        <source>发现的隐患</source>
        <translation>Hazards found</translation>
    </message>
    <message>
        <source>留空则按隐患等级的默认整改期限</source>
        <translation>Leave empty for the default deadline of the hazard level</translation>
    </message>
    <message>
        <source>一、二级隐患必填</source>
        <translation>Required for level 1 and 2</translation>
    </message>
    <message>
        <source>加入清单(&amp;J)</source>
        <translation>Add to the &amp;list</translation>
    </message>
    <message>
        <source>等级</source>
        <translation>Level</translation>
    </message>
    <message>
        <source>停工建议</source>
        <translation>Stop-work</translation>
    </message>
    <message>
        <source>部位</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>整改期限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <source>隐患描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>整改措施</source>
        <translation>Measures</translation>
    </message>
    <message>
        <source>应急预案</source>
        <translation>Contingency</translation>
    </message>
    <message>
        <source>保存时逐条登记并编号；双击待登记的隐患可取回修改，Delete 键移除。</source>
        <translation>Each hazard is recorded and numbered on Save; double-click a pending hazard to edit it again, Delete removes it.</translation>
    </message>
    <message>
        <source>详细登记(&amp;H)…</source>
        <translation>Full &amp;hazard form…</translation>
    </message>
    <message>
        <source>在隐患登记窗口中填写全部信息（照片、重大隐患判定、责任人等）；新检查会先保存。</source>
        <translation>Record the hazard with every detail (photos, major-hazard item, responsible person…); a new inspection is saved first.</translation>
    </message>
    <message>
        <source>从清单中移除待登记的隐患“{text}”？</source>
        <translation>Remove the pending hazard “{text}” from the list?</translation>
    </message>
    <message>
        <source>移除隐患</source>
        <translation>Remove hazard</translation>
    </message>
</context>
<context>
    <name>InspectionsPage</name>
    <message>
        <source>未确认</source>
        <translation>Not confirmed</translation>
    </message>
    <message>
        <source>全部日期</source>
        <translation>Any date</translation>
    </message>
    <message>
        <source>本月</source>
        <translation>This month</translation>
    </message>
    <message>
        <source>本季度</source>
        <translation>This quarter</translation>
    </message>
    <message>
        <source>本年度</source>
        <translation>This year</translation>
    </message>
    <message>
        <source>搜索项目编号或名称</source>
        <translation>Search project number or name</translation>
    </message>
    <message>
        <source>全部类型</source>
        <translation>All types</translation>
    </message>
    <message>
        <source>只看未双方确认</source>
        <translation>Not yet confirmed only</translation>
    </message>
    <message>
        <source>新建检查(&amp;N)…</source>
        <translation>&amp;New inspection…</translation>
    </message>
    <message>
        <source>共 {n} 次检查</source>
        <translation>{n} inspections</translation>
    </message>
    <message>
        <source>全部检查人员</source>
        <translation>All inspectors</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>一级隐患当日报告</source>
        <translation>Same-day report of a level-1 hazard</translation>
    </message>
    <message>
        <source>一级（重大）</source>
        <translation>Level 1 (major)</translation>
    </message>
    <message>
        <source>一般生产安全事故</source>
        <translation>General production-safety accident</translation>
    </message>
    <message>
        <source>三级（一般）</source>
        <translation>Level 3 (general)</translation>
    </message>
    <message>
        <source>中风险</source>
        <translation>Medium risk</translation>
    </message>
    <message>
        <source>二级（较大）</source>
        <translation>Level 2 (serious)</translation>
    </message>
    <message>
        <source>低风险</source>
        <translation>Low risk</translation>
    </message>
    <message>
        <source>佐证材料</source>
        <translation>Evidence</translation>
    </message>
    <message>
        <source>停工</source>
        <translation>Stop work</translation>
    </message>
    <message>
        <source>全覆盖检查</source>
        <translation>Full-coverage inspection</translation>
    </message>
    <message>
        <source>关键工序检查</source>
        <translation>Key-procedure inspection</translation>
    </message>
    <message>
        <source>其他单位</source>
        <translation>Other organisation</translation>
    </message>
    <message>
        <source>内勤文员</source>
        <translation>Office clerk</translation>
    </message>
    <message>
        <source>危大工程专项检查</source>
        <translation>Targeted inspection of a hazardous work</translation>
    </message>
    <message>
        <source>只读审阅</source>
        <translation>Read-only reviewer</translation>
    </message>
    <message>
        <source>四级（低）</source>
        <translation>Level 4 (low)</translation>
    </message>
    <message>
        <source>在建</source>
        <translation>Under construction</translation>
    </message>
    <message>
        <source>在档</source>
        <translation>Archived</translation>
    </message>
    <message>
        <source>复查</source>
        <translation>Re-inspection</translation>
    </message>
    <message>
        <source>局部停工</source>
        <translation>Partial stop work</translation>
    </message>
    <message>
        <source>已下发通知</source>
        <translation>Notice issued</translation>
    </message>
    <message>
        <source>已批准销毁</source>
        <translation>Destruction approved</translation>
    </message>
    <message>
        <source>已撤销</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <source>已申请销毁</source>
        <translation>Destruction requested</translation>
    </message>
    <message>
        <source>已登记</source>
        <translation>Recorded</translation>
    </message>
    <message>
        <source>已签发</source>
        <translation>Signed</translation>
    </message>
    <message>
        <source>已被替代</source>
        <translation>Superseded</translation>
    </message>
    <message>
        <source>已销毁</source>
        <translation>Destroyed</translation>
    </message>
    <message>
        <source>已销项</source>
        <translation>Closed</translation>
    </message>
    <message>
        <source>市政基础设施工程</source>
        <translation>Municipal infrastructure works</translation>
    </message>
    <message>
        <source>建设主管部门</source>
        <translation>Construction authority</translation>
    </message>
    <message>
        <source>建设单位</source>
        <translation>Owner</translation>
    </message>
    <message>
        <source>待复查</source>
        <translation>Awaiting re-inspection</translation>
    </message>
    <message>
        <source>房屋建筑工程</source>
        <translation>Building works</translation>
    </message>
    <message>
        <source>扫描件</source>
        <translation>Scan</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>技术负责人</source>
        <translation>Technical lead</translation>
    </message>
    <message>
        <source>拒不整改报告</source>
        <translation>Refusal report</translation>
    </message>
    <message>
        <source>拖延整改报告</source>
        <translation>Delay report</translation>
    </message>
    <message>
        <source>整改中</source>
        <translation>Rectifying</translation>
    </message>
    <message>
        <source>整改前</source>
        <translation>Before rectification</translation>
    </message>
    <message>
        <source>整改后</source>
        <translation>After rectification</translation>
    </message>
    <message>
        <source>文书</source>
        <translation>Documents</translation>
    </message>
    <message>
        <source>施工单位</source>
        <translation>Contractor</translation>
    </message>
    <message>
        <source>无需停工</source>
        <translation>No stop needed</translation>
    </message>
    <message>
        <source>日常巡查</source>
        <translation>Routine patrol</translation>
    </message>
    <message>
        <source>检查人员</source>
        <translation>Inspector</translation>
    </message>
    <message>
        <source>漏判重大隐患</source>
        <translation>Missed major hazard</translation>
    </message>
    <message>
        <source>监理单位</source>
        <translation>Supervisor</translation>
    </message>
    <message>
        <source>竣工</source>
        <translation>Completed</translation>
    </message>
    <message>
        <source>系统管理员</source>
        <translation>System administrator</translation>
    </message>
    <message>
        <source>草稿</source>
        <translation>Draft</translation>
    </message>
    <message>
        <source>较严重二级隐患报告</source>
        <translation>Report of a serious level-2 hazard</translation>
    </message>
    <message>
        <source>较大及以上生产安全事故</source>
        <translation>Larger or worse production-safety accident</translation>
    </message>
    <message>
        <source>阶段检查</source>
        <translation>Stage inspection</translation>
    </message>
    <message>
        <source>首次风险辨识</source>
        <translation>First risk identification</translation>
    </message>
    <message>
        <source>高风险</source>
        <translation>High risk</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>登录 - {title}</source>
        <translation>Sign in - {title}</translation>
    </message>
    <message>
        <source>登录</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>请输入用户名和密码。</source>
        <translation>Please enter your user name and password.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>文件(&amp;F)</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>打开数据文件夹</source>
        <translation>Open data folder</translation>
    </message>
    <message>
        <source>退出(&amp;Q)</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>编辑(&amp;E)</source>
        <translation>&amp;Edit</translation>
    </message>
    <message>
        <source>刷新当前页(&amp;R)</source>
        <translation>&amp;Refresh page</translation>
    </message>
    <message>
        <source>设置(&amp;S)…</source>
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <source>视图(&amp;V)</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>显示导航栏</source>
        <translation>Show navigation</translation>
    </message>
    <message>
        <source>帮助(&amp;H)</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>关于(&amp;A)…</source>
        <translation>&amp;About…</translation>
    </message>
    <message>
        <source>打开日志文件夹</source>
        <translation>Open log folder</translation>
    </message>
    <message>
        <source>关于 Qt</source>
        <translation>About Qt</translation>
    </message>
    <message>
        <source>登记隐患(&amp;H)…</source>
        <translation>Record &amp;hazard…</translation>
    </message>
    <message>
        <source>导出当前视图(&amp;X)…</source>
        <translation>E&amp;xport current view…</translation>
    </message>
    <message>
        <source>查找(&amp;F)</source>
        <translation>&amp;Find</translation>
    </message>
    <message>
        <source>新建项目(&amp;P)…</source>
        <translation>New &amp;project…</translation>
    </message>
    <message>
        <source>新建检查(&amp;I)…</source>
        <translation>New &amp;inspection…</translation>
    </message>
    <message>
        <source>无权操作</source>
        <translation>Not allowed</translation>
    </message>
    <message>
        <source>您的角色无权进行此操作。</source>
        <translation>Your role does not allow this.</translation>
    </message>
    <message>
        <source>&lt;h3&gt;{title}&lt;/h3&gt;&lt;p&gt;版本 {version}&lt;/p&gt;&lt;p&gt;为安责险事故预防服务风控机构设计：项目、隐患闭环、检查、培训演练、档案与文书。&lt;/p&gt;&lt;p&gt;数据库：{database}&lt;/p&gt;&lt;p&gt;界面基于 Qt {qt}（PySide6 {pyside}）；内置字体文泉驿微米黑（Apache-2.0）。&lt;/p&gt;</source>
        <translation>&lt;h3&gt;{title}&lt;/h3&gt;&lt;p&gt;Version {version}&lt;/p&gt;&lt;p&gt;For risk-control agencies providing accident-prevention services under construction safety-liability insurance: projects, hazards to closure, inspections, training and drills, archives and documents.&lt;/p&gt;&lt;p&gt;Database: {database}&lt;/p&gt;&lt;p&gt;Built on Qt {qt} (PySide6 {pyside}); bundled font WenQuanYi Micro Hei (Apache-2.0).&lt;/p&gt;</translation>
    </message>
    <message>
        <source>关于</source>
        <translation>About</translation>
    </message>
    <message>
        <source>无法打开文件夹</source>
        <translation>Cannot open the folder</translation>
    </message>
</context>
<context>
    <name>PackageDialog</name>
    <message>
        <source>月 2026-03、季度 2026Q3、半年 2026H1 或年度 2026</source>
        <translation>Month 2026-03, quarter 2026Q3, half-year 2026H1 or year 2026</translation>
    </message>
    <message>
        <source>选择…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>导出审阅包</source>
        <translation>Export review package</translation>
    </message>
    <message>
        <source>核验资料包</source>
        <translation>Verify package</translation>
    </message>
    <message>
        <source>核验结果将显示在这里。</source>
        <translation>The verification report appears here.</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>期间</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>项目（不勾选则为期间内全部承保项目）</source>
        <translation>Projects (none ticked: every project insured in the period)</translation>
    </message>
    <message>
        <source>保存到</source>
        <translation>Save to</translation>
    </message>
    <message>
        <source>审阅包含项目清单、期间内的隐患台账、已签发文书和隐患照片，由本机构密钥签名，保险公司可逐个文件核对。</source>
        <translation>The review package holds the project list, the hazard register of the period, the signed documents and the hazard photos, signed with the agency key so the insurer can check every file.</translation>
    </message>
    <message>
        <source>审阅包-{insurer}-{period}.zip</source>
        <translation>review-package-{insurer}-{period}.zip</translation>
    </message>
    <message>
        <source>保存审阅包</source>
        <translation>Save review package</translation>
    </message>
    <message>
        <source>请选择承保机构</source>
        <translation>Choose an insurer</translation>
    </message>
    <message>
        <source>正在导出审阅包…</source>
        <translation>Exporting the review package…</translation>
    </message>
    <message>
        <source>审阅包已导出：{path}
共 {files} 个文件，{size}。
签名公钥指纹：{fingerprint}

现在核验一遍吗？</source>
        <translation>Review package exported: {path}
{files} files, {size}.
Signing key fingerprint: {fingerprint}

Verify it now?</translation>
    </message>
    <message>
        <source>导出完成</source>
        <translation>Export finished</translation>
    </message>
    <message>
        <source>正在核验审阅包…</source>
        <translation>Verifying the review package…</translation>
    </message>
    <message>
        <source>核验通过</source>
        <translation>Verified</translation>
    </message>
    <message>
        <source>资料包完整，签名有效。</source>
        <translation>The package is complete and its signature is valid.</translation>
    </message>
    <message>
        <source>核验未通过</source>
        <translation>Verification failed</translation>
    </message>
</context>
<context>
    <name>Pages</name>
    <message>
        <source>档案</source>
        <translation>Archive</translation>
    </message>
    <message>
        <source>工作台</source>
        <translation>Dashboard</translation>
    </message>
    <message>
        <source>文书</source>
        <translation>Documents</translation>
    </message>
    <message>
        <source>隐患台账</source>
        <translation>Hazard register</translation>
    </message>
    <message>
        <source>检查记录</source>
        <translation>Inspections</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Projects</translation>
    </message>
    <message>
        <source>设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>培训与演练</source>
        <translation>Training and drills</translation>
    </message>
    <message>
        <source>合规自查</source>
        <translation>Compliance self-check</translation>
    </message>
</context>
<context>
    <name>PhotoStrip</name>
    <message>
        <source>选择照片</source>
        <translation>Choose photos</translation>
    </message>
    <message>
        <source>照片 (*.jpg *.jpeg *.png *.heic *.heif);;所有文件 (*)</source>
        <translation>Photos (*.jpg *.jpeg *.png *.heic *.heif);;All files (*)</translation>
    </message>
    <message>
        <source>粘贴的图片 {n}.png</source>
        <translation>Pasted picture {n}.png</translation>
    </message>
    <message>
        <source>添加照片…</source>
        <translation>Add photos…</translation>
    </message>
    <message>
        <source>可拖入照片或按 Ctrl+V 粘贴</source>
        <translation>Drop photos here or paste with Ctrl+V</translation>
    </message>
    <message>
        <source>{name}
{w}×{h}，{kb} KB
双击查看原图</source>
        <translation>{name}
{w}×{h}, {kb} KB
Double-click to view the original</translation>
    </message>
    <message>
        <source>（无法预览）</source>
        <translation>(no preview) </translation>
    </message>
    <message>
        <source>{title}（{n} 张）</source>
        <translation>{title} ({n})</translation>
    </message>
    <message>
        <source>照片</source>
        <translation>Photos</translation>
    </message>
    <message>
        <source>正在保存照片…</source>
        <translation>Saving photos…</translation>
    </message>
    <message>
        <source>部分照片未保存</source>
        <translation>Some photos were not saved</translation>
    </message>
    <message>
        <source>无法打开照片</source>
        <translation>Cannot open the photo</translation>
    </message>
</context>
<context>
    <name>ProjectDialog</name>
    <message>
        <source>按 Delete 键清空日期</source>
        <translation>Press Delete to clear the date</translation>
    </message>
    <message>
        <source>移除</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>施工阶段</source>
        <translation>Stage</translation>
    </message>
    <message>
        <source>计划开始</source>
        <translation>Planned start</translation>
    </message>
    <message>
        <source>计划结束</source>
        <translation>Planned end</translation>
    </message>
    <message>
        <source>实际开始</source>
        <translation>Actual start</translation>
    </message>
    <message>
        <source>实际结束</source>
        <translation>Actual end</translation>
    </message>
    <message>
        <source>添加施工阶段</source>
        <translation>Add a stage</translation>
    </message>
    <message>
        <source>未施工</source>
        <translation>Not started</translation>
    </message>
    <message>
        <source>施工中</source>
        <translation>In progress</translation>
    </message>
    <message>
        <source>已完成</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>危大工程名称</source>
        <translation>Dangerous works</translation>
    </message>
    <message>
        <source>超危大</source>
        <translation>Beyond scale</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>规模参数</source>
        <translation>Parameters</translation>
    </message>
    <message>
        <source>危大</source>
        <translation>dangerous works</translation>
    </message>
    <message>
        <source>已登记：{items}</source>
        <translation>Already registered: {items}</translation>
    </message>
    <message>
        <source>添加危大工程</source>
        <translation>Add dangerous works</translation>
    </message>
    <message>
        <source>如 开挖深度 6.5m</source>
        <translation>e.g. excavation depth 6.5 m</translation>
    </message>
    <message>
        <source>项目经理</source>
        <translation>Project manager</translation>
    </message>
    <message>
        <source>项目技术负责人</source>
        <translation>Project technical lead</translation>
    </message>
    <message>
        <source>专职安全员</source>
        <translation>Safety officer</translation>
    </message>
    <message>
        <source>总监理工程师</source>
        <translation>Chief supervising engineer</translation>
    </message>
    <message>
        <source>建设单位代表</source>
        <translation>Owner&apos;s representative</translation>
    </message>
    <message>
        <source>岗位</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>添加联系人</source>
        <translation>Add a contact</translation>
    </message>
    <message>
        <source>属地建设主管部门</source>
        <translation>Local construction authority</translation>
    </message>
    <message>
        <source>建设单位</source>
        <translation>Owner</translation>
    </message>
    <message>
        <source>施工单位</source>
        <translation>Contractor</translation>
    </message>
    <message>
        <source>监理单位</source>
        <translation>Supervision unit</translation>
    </message>
    <message>
        <source>修改项目</source>
        <translation>Edit project</translation>
    </message>
    <message>
        <source>新建项目</source>
        <translation>New project</translation>
    </message>
    <message>
        <source>基本信息</source>
        <translation>General</translation>
    </message>
    <message>
        <source>保单与参建单位</source>
        <translation>Policy and parties</translation>
    </message>
    <message>
        <source>危大工程</source>
        <translation>Dangerous works</translation>
    </message>
    <message>
        <source>联系人</source>
        <translation>Contacts</translation>
    </message>
    <message>
        <source>如 SX-2026-0001</source>
        <translation>e.g. SX-2026-0001</translation>
    </message>
    <message>
        <source>（未指定）</source>
        <translation>(not assigned)</translation>
    </message>
    <message>
        <source> 人</source>
        <translation> people</translation>
    </message>
    <message>
        <source>项目编号 *</source>
        <translation>Project no. *</translation>
    </message>
    <message>
        <source>项目名称 *</source>
        <translation>Project name *</translation>
    </message>
    <message>
        <source>工程地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>所在区县</source>
        <translation>District</translation>
    </message>
    <message>
        <source>工程类型</source>
        <translation>Project type</translation>
    </message>
    <message>
        <source>项目状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>项目负责人</source>
        <translation>Project lead</translation>
    </message>
    <message>
        <source>工程合同价（元）</source>
        <translation>Contract value (CNY)</translation>
    </message>
    <message>
        <source>基坑开挖深度（米）</source>
        <translation>Excavation depth (m)</translation>
    </message>
    <message>
        <source>风控服务合同签订</source>
        <translation>Service contract signed</translation>
    </message>
    <message>
        <source>开工日期</source>
        <translation>Start date</translation>
    </message>
    <message>
        <source>计划竣工日期</source>
        <translation>Planned completion</translation>
    </message>
    <message>
        <source>竣工日期</source>
        <translation>Completion date</translation>
    </message>
    <message>
        <source>管理人员</source>
        <translation>Managers</translation>
    </message>
    <message>
        <source>作业人员</source>
        <translation>Workers</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <source>安责险保单</source>
        <translation>Safety liability insurance policy</translation>
    </message>
    <message>
        <source>已登记保单</source>
        <translation>Registered policies</translation>
    </message>
    <message>
        <source>续保或新增保单时填写以下各项；不填则不新增。</source>
        <translation>Fill in the fields below for a renewal or another policy; left empty, no policy is added.</translation>
    </message>
    <message>
        <source>至</source>
        <translation>to</translation>
    </message>
    <message>
        <source>保单号</source>
        <translation>Policy no.</translation>
    </message>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>保险期间</source>
        <translation>Period of cover</translation>
    </message>
    <message>
        <source>保费（元）</source>
        <translation>Premium (CNY)</translation>
    </message>
    <message>
        <source>事故预防费用（元）</source>
        <translation>Prevention fee (CNY)</translation>
    </message>
    <message>
        <source>参建单位</source>
        <translation>Parties</translation>
    </message>
    <message>
        <source>单位名称可从已登记的单位中选择；输入新名称则保存时自动登记。</source>
        <translation>Pick a registered unit or type a new name: a new unit is registered on Save.</translation>
    </message>
</context>
<context>
    <name>ProjectPage</name>
    <message>
        <source>专项服务方案</source>
        <translation>Special service plan</translation>
    </message>
    <message>
        <source>服务工作方案</source>
        <translation>Service work plan</translation>
    </message>
    <message>
        <source>尚无培训记录。</source>
        <translation>No training recorded yet.</translation>
    </message>
    <message>
        <source>尚无应急演练记录。</source>
        <translation>No emergency drill recorded yet.</translation>
    </message>
    <message>
        <source>培训</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>应急演练</source>
        <translation>Emergency drills</translation>
    </message>
    <message>
        <source>达标</source>
        <translation>met</translation>
    </message>
    <message>
        <source>未达标</source>
        <translation>not met</translation>
    </message>
    <message>
        <source>{half}（N-13）：培训 {n} 次，其中集中培训 {c} 次，频次{freq}；管理人员 {m}/{hm} 人次，作业人员 {w}/{hw} 人次，覆盖{cover}。</source>
        <translation>{half} (N-13): {n} sessions, {c} of them centralized, frequency {freq}; managers {m}/{hm}, workers {w}/{hw} attendances, coverage {cover}.</translation>
    </message>
    <message>
        <source>超危大</source>
        <translation>Beyond scale</translation>
    </message>
    <message>
        <source>危大</source>
        <translation>Dangerous</translation>
    </message>
    <message>
        <source>人工调整</source>
        <translation>Manual</translation>
    </message>
    <message>
        <source>规则评定</source>
        <translation>By the rules</translation>
    </message>
    <message>
        <source>人工调整风险等级</source>
        <translation>Set the risk level by hand</translation>
    </message>
    <message>
        <source>风险等级</source>
        <translation>Risk level</translation>
    </message>
    <message>
        <source>调整理由</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>工程概况</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>参建单位与联系人</source>
        <translation>Parties and contacts</translation>
    </message>
    <message>
        <source>安责险保单</source>
        <translation>Safety liability insurance</translation>
    </message>
    <message>
        <source>项目风险等级（N-12）</source>
        <translation>Project risk level (N-12)</translation>
    </message>
    <message>
        <source>施工阶段</source>
        <translation>Construction stages</translation>
    </message>
    <message>
        <source>危大工程与超危大工程</source>
        <translation>Dangerous works</translation>
    </message>
    <message>
        <source>按规则重新评定</source>
        <translation>Reassess by the rules</translation>
    </message>
    <message>
        <source>人工调整…</source>
        <translation>Set by hand…</translation>
    </message>
    <message>
        <source>管理人员 {m} 人，作业人员 {w} 人</source>
        <translation>{m} managers, {w} workers</translation>
    </message>
    <message>
        <source>项目编号</source>
        <translation>Project no.</translation>
    </message>
    <message>
        <source>项目名称</source>
        <translation>Project name</translation>
    </message>
    <message>
        <source>工程类型</source>
        <translation>Project type</translation>
    </message>
    <message>
        <source>工程地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>所在区县</source>
        <translation>District</translation>
    </message>
    <message>
        <source>工程合同价（元）</source>
        <translation>Contract value (CNY)</translation>
    </message>
    <message>
        <source>基坑开挖深度（米）</source>
        <translation>Excavation depth (m)</translation>
    </message>
    <message>
        <source>项目状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>风控服务合同签订</source>
        <translation>Service contract signed</translation>
    </message>
    <message>
        <source>开工日期</source>
        <translation>Start date</translation>
    </message>
    <message>
        <source>计划竣工日期</source>
        <translation>Planned completion</translation>
    </message>
    <message>
        <source>竣工日期</source>
        <translation>Completion date</translation>
    </message>
    <message>
        <source>项目负责人</source>
        <translation>Project lead</translation>
    </message>
    <message>
        <source>人员规模</source>
        <translation>Headcount</translation>
    </message>
    <message>
        <source>属地建设主管部门</source>
        <translation>Local construction authority</translation>
    </message>
    <message>
        <source>建设单位</source>
        <translation>Owner</translation>
    </message>
    <message>
        <source>施工单位</source>
        <translation>Contractor</translation>
    </message>
    <message>
        <source>监理单位</source>
        <translation>Supervision unit</translation>
    </message>
    <message>
        <source>项目联系人</source>
        <translation>Site contacts</translation>
    </message>
    <message>
        <source>{start} 至 {end}</source>
        <translation>{start} to {end}</translation>
    </message>
    <message>
        <source>保费 {premium} 元，事故预防费用 {fee} 元</source>
        <translation>premium CNY {premium}, prevention fee CNY {fee}</translation>
    </message>
    <message>
        <source>保单</source>
        <translation>Policy</translation>
    </message>
    <message>
        <source>尚未登记保单</source>
        <translation>No policy registered yet</translation>
    </message>
    <message>
        <source>未评定</source>
        <translation>Not assessed</translation>
    </message>
    <message>
        <source>该项目尚未进行风险评定。</source>
        <translation>The project&apos;s risk has not been assessed yet.</translation>
    </message>
    <message>
        <source>{when} 由 {who} {how}。理由：{reason}
依据：{factors}</source>
        <translation>{when}, {who}: {how}. Reason: {reason}
Factors: {factors}</translation>
    </message>
    <message>
        <source>人工调整（规则计算为{level}）</source>
        <translation>set by hand (the rules give {level})</translation>
    </message>
    <message>
        <source>按规则评定</source>
        <translation>assessed by the rules</translation>
    </message>
    <message>
        <source>← 返回项目列表</source>
        <translation>← Back to the projects</translation>
    </message>
    <message>
        <source>修改项目(&amp;E)…</source>
        <translation>&amp;Edit project…</translation>
    </message>
    <message>
        <source>新建检查(&amp;N)…</source>
        <translation>&amp;New inspection…</translation>
    </message>
    <message>
        <source>修改记录…</source>
        <translation>Change history…</translation>
    </message>
    <message>
        <source>Alt+← 或 Esc</source>
        <translation>Alt+← or Esc</translation>
    </message>
    <message>
        <source>尚无服务方案（N-01：一项目一方案）。</source>
        <translation>No service plan yet (N-01: one plan per project).</translation>
    </message>
    <message>
        <source>生成服务方案草稿(&amp;G)</source>
        <translation>&amp;Generate a service plan draft</translation>
    </message>
    <message>
        <source>尚无检查记录。</source>
        <translation>No inspection recorded yet.</translation>
    </message>
    <message>
        <source>尚无与本项目有关的文书。</source>
        <translation>No document about this project yet.</translation>
    </message>
    <message>
        <source>尚未登记档案（N-15）。</source>
        <translation>No archive item registered yet (N-15).</translation>
    </message>
    <message>
        <source>概况</source>
        <translation>Overview</translation>
    </message>
    <message>
        <source>风险源</source>
        <translation>Risk sources</translation>
    </message>
    <message>
        <source>服务方案</source>
        <translation>Service plans</translation>
    </message>
    <message>
        <source>检查记录</source>
        <translation>Inspections</translation>
    </message>
    <message>
        <source>隐患</source>
        <translation>Hazards</translation>
    </message>
    <message>
        <source>培训与演练</source>
        <translation>Training and drills</translation>
    </message>
    <message>
        <source>文书</source>
        <translation>Documents</translation>
    </message>
    <message>
        <source>档案</source>
        <translation>Archive</translation>
    </message>
    <message>
        <source>预防费用</source>
        <translation>Prevention fees</translation>
    </message>
    <message>
        <source>登记隐患(&amp;H)…</source>
        <translation>Record &amp;hazard…</translation>
    </message>
    <message>
        <source>未评定风险等级</source>
        <translation>Risk level not assessed</translation>
    </message>
    <message>
        <source>正在生成服务方案草稿…</source>
        <translation>Generating the service plan draft…</translation>
    </message>
    <message>
        <source>服务方案草稿</source>
        <translation>Service plan draft</translation>
    </message>
    <message>
        <source>已生成“{title}”，请在“文书”页核对后交技术负责人签发。</source>
        <translation>“{title}” has been generated. Check it on the Documents page and pass it to the technical lead for signing.</translation>
    </message>
</context>
<context>
    <name>ProjectsPage</name>
    <message>
        <source>未评定</source>
        <translation>Not assessed</translation>
    </message>
    <message>
        <source>{n}（逾期 {late}）</source>
        <translation>{n} ({late} overdue)</translation>
    </message>
    <message>
        <source>搜索项目编号、名称或地址</source>
        <translation>Search project number, name or address</translation>
    </message>
    <message>
        <source>全部状态</source>
        <translation>All statuses</translation>
    </message>
    <message>
        <source>全部风险等级</source>
        <translation>All risk levels</translation>
    </message>
    <message>
        <source>新建项目(&amp;N)…</source>
        <translation>&amp;New project…</translation>
    </message>
    <message>
        <source>共 {n} 个项目</source>
        <translation>{n} projects</translation>
    </message>
    <message>
        <source>全部承保机构</source>
        <translation>All insurers</translation>
    </message>
    <message>
        <source>全部区县</source>
        <translation>All districts</translation>
    </message>
    <message>
        <source>全部主管部门</source>
        <translation>All authorities</translation>
    </message>
</context>
<context>
    <name>QualityPanels</name>
    <message>
        <source>承保机构</source>
        <translation>Insurer</translation>
    </message>
    <message>
        <source>建设主管部门</source>
        <translation>Construction authority</translation>
    </message>
    <message>
        <source>逾期答复</source>
        <translation>Replied late</translation>
    </message>
    <message>
        <source>已答复</source>
        <translation>Replied</translation>
    </message>
    <message>
        <source>已逾期 {n} 天</source>
        <translation>Overdue by {n} days</translation>
    </message>
    <message>
        <source>待答复</source>
        <translation>Awaiting reply</translation>
    </message>
    <message>
        <source>登记投诉</source>
        <translation>Record complaint</translation>
    </message>
    <message>
        <source>（不涉及具体项目）</source>
        <translation>(no particular project)</translation>
    </message>
    <message>
        <source>如 电话、信函、12345 转办</source>
        <translation>e.g. phone, letter, 12345 hotline referral</translation>
    </message>
    <message>
        <source>需核实情况（答复期限 30 个工作日）</source>
        <translation>Facts need checking (reply due in 30 working days)</translation>
    </message>
    <message>
        <source>收到日期</source>
        <translation>Received</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>投诉人</source>
        <translation>Complainant</translation>
    </message>
    <message>
        <source>渠道</source>
        <translation>Channel</translation>
    </message>
    <message>
        <source>投诉内容</source>
        <translation>Complaint</translation>
    </message>
    <message>
        <source>答复期限</source>
        <translation>Reply due</translation>
    </message>
    <message>
        <source>答复投诉</source>
        <translation>Reply to complaint</translation>
    </message>
    <message>
        <source>答复日期</source>
        <translation>Replied on</translation>
    </message>
    <message>
        <source>答复内容</source>
        <translation>Reply</translation>
    </message>
    <message>
        <source>仅显示未答复(&amp;U)</source>
        <translation>&amp;Unanswered only</translation>
    </message>
    <message>
        <source>登记投诉(&amp;R)…</source>
        <translation>&amp;Record complaint…</translation>
    </message>
    <message>
        <source>答复(&amp;Y)…</source>
        <translation>Repl&amp;y…</translation>
    </message>
    <message>
        <source>改为需核实</source>
        <translation>Mark as needing checking</translation>
    </message>
    <message>
        <source>共 {n} 件，未答复 {open} 件，其中已逾期 {late} 件</source>
        <translation>{n} in all, {open} unanswered, {late} of them overdue</translation>
    </message>
    <message>
        <source>没有投诉记录。</source>
        <translation>No complaints recorded.</translation>
    </message>
    <message>
        <source>改为无需核实</source>
        <translation>Mark as not needing checking</translation>
    </message>
    <message>
        <source>登记事故或漏判</source>
        <translation>Record incident or missed hazard</translation>
    </message>
    <message>
        <source>漏判时必填，如 属地建设主管部门</source>
        <translation>Required for a missed hazard, e.g. the local construction authority</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>发生或发现日期</source>
        <translation>Date occurred or found</translation>
    </message>
    <message>
        <source>经过与情况</source>
        <translation>What happened</translation>
    </message>
    <message>
        <source>发现单位</source>
        <translation>Found by</translation>
    </message>
    <message>
        <source>死亡人数</source>
        <translation>Deaths</translation>
    </message>
    <message>
        <source>重伤人数</source>
        <translation>Serious injuries</translation>
    </message>
    <message>
        <source>请选择项目</source>
        <translation>Please choose a project</translation>
    </message>
    <message>
        <source>登记事故或漏判(&amp;I)…</source>
        <translation>Record &amp;incident or missed hazard…</translation>
    </message>
    <message>
        <source>共 {n} 起（C-8：服务期间的事故与漏判重大隐患）</source>
        <translation>{n} in all (C-8: accidents during service and missed major hazards)</translation>
    </message>
    <message>
        <source>没有事故或漏判记录。</source>
        <translation>No incidents or missed hazards recorded.</translation>
    </message>
    <message>
        <source>登记收到的评价</source>
        <translation>Record evaluation received</translation>
    </message>
    <message>
        <source>如 2026H1、2026Q2、2026</source>
        <translation>e.g. 2026H1, 2026Q2, 2026</translation>
    </message>
    <message>
        <source>如 优秀、合格、第 2 名</source>
        <translation>e.g. excellent, satisfactory, ranked 2nd</translation>
    </message>
    <message>
        <source>评价认可本机构的服务</source>
        <translation>The evaluation recognises our service</translation>
    </message>
    <message>
        <source>评价单位类型</source>
        <translation>Evaluator type</translation>
    </message>
    <message>
        <source>评价单位</source>
        <translation>Evaluator</translation>
    </message>
    <message>
        <source>评价期间</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>评价结果</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>说明</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>（未指定）</source>
        <translation>(not specified)</translation>
    </message>
    <message>
        <source>登记评价(&amp;E)…</source>
        <translation>Record &amp;evaluation…</translation>
    </message>
    <message>
        <source>共 {n} 份，其中不认可 {bad} 份</source>
        <translation>{n} in all, {bad} not recognising our service</translation>
    </message>
    <message>
        <source>尚未登记承保机构或建设主管部门的评价。</source>
        <translation>No evaluations from insurers or authorities recorded yet.</translation>
    </message>
</context>
<context>
    <name>RecycleBin</name>
    <message>
        <source>回收站是空的。</source>
        <translation>The recycle bin is empty.</translation>
    </message>
    <message>
        <source>恢复</source>
        <translation>Restore</translation>
    </message>
    <message>
        <source>彻底删除…</source>
        <translation>Delete for good…</translation>
    </message>
    <message>
        <source>变更历史…</source>
        <translation>History…</translation>
    </message>
    <message>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>只有系统管理员可以彻底删除。</source>
        <translation>Only administrators can delete for good.</translation>
    </message>
    <message>
        <source>删除的记录先放在回收站，可以恢复；已签发的文书和保存期内的档案不能彻底删除。</source>
        <translation>Deleted records wait in the recycle bin and can be restored; signed documents and archive items under retention cannot be deleted for good.</translation>
    </message>
    <message>
        <source>已恢复</source>
        <translation>Restored</translation>
    </message>
    <message>
        <source>{kind}“{title}”已恢复。</source>
        <translation>{kind} “{title}” restored.</translation>
    </message>
    <message>
        <source>彻底删除{kind}“{title}”及只属于它的附件和记录？此操作不能撤销。</source>
        <translation>Delete {kind} “{title}” for good, with the attachments and records that only it owns? This cannot be undone.</translation>
    </message>
    <message>
        <source>彻底删除</source>
        <translation>Delete for good</translation>
    </message>
</context>
<context>
    <name>RegisterFilters</name>
    <message>
        <source>搜索部位或描述（Ctrl+F）</source>
        <translation>Search location or description (Ctrl+F)</translation>
    </message>
    <message>
        <source>全部等级</source>
        <translation>All levels</translation>
    </message>
    <message>
        <source>全部状态</source>
        <translation>All states</translation>
    </message>
    <message>
        <source>未销项</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>只看逾期</source>
        <translation>Overdue only</translation>
    </message>
    <message>
        <source>重大与一般</source>
        <translation>Major and ordinary</translation>
    </message>
    <message>
        <source>仅重大事故隐患</source>
        <translation>Major hazards only</translation>
    </message>
    <message>
        <source>非重大隐患</source>
        <translation>Not major</translation>
    </message>
    <message>
        <source>发现日期</source>
        <translation>Found between</translation>
    </message>
    <message>
        <source>清除筛选</source>
        <translation>Clear filters</translation>
    </message>
    <message>
        <source>全部项目</source>
        <translation>All projects</translation>
    </message>
    <message>
        <source>全部承保机构</source>
        <translation>All insurers</translation>
    </message>
    <message>
        <source>全部主管部门</source>
        <translation>All authorities</translation>
    </message>
    <message>
        <source>全部类别</source>
        <translation>All categories</translation>
    </message>
    <message>
        <source>更多筛选</source>
        <translation>More filters</translation>
    </message>
</context>
<context>
    <name>RiskSources</name>
    <message>
        <source>已核查</source>
        <translation>Verified</translation>
    </message>
    <message>
        <source>未核查</source>
        <translation>Not verified</translation>
    </message>
    <message>
        <source>在用</source>
        <translation>Active</translation>
    </message>
    <message>
        <source>已停用</source>
        <translation>Deactivated</translation>
    </message>
    <message>
        <source>选择风险源分级表</source>
        <translation>Choose the risk-source table</translation>
    </message>
    <message>
        <source>Excel 工作簿 (*.xlsx *.xlsm)</source>
        <translation>Excel workbooks (*.xlsx *.xlsm)</translation>
    </message>
    <message>
        <source>修改风险源</source>
        <translation>Edit risk source</translation>
    </message>
    <message>
        <source>添加风险源</source>
        <translation>Add risk source</translation>
    </message>
    <message>
        <source>风险源名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>风险等级</source>
        <translation>Level</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>部位</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>施工阶段</source>
        <translation>Construction stage</translation>
    </message>
    <message>
        <source>防范措施</source>
        <translation>Preventive measures</translation>
    </message>
    <message>
        <source>停用风险源</source>
        <translation>Deactivate risk source</translation>
    </message>
    <message>
        <source>停用“{name}”后，它不再计入一、二级风险源核查。</source>
        <translation>Once “{name}” is deactivated it no longer counts in the level 1/2 verification.</translation>
    </message>
    <message>
        <source>如：该分部分项工程已完成</source>
        <translation>e.g. this part of the works is finished</translation>
    </message>
    <message>
        <source>停用原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>显示已停用</source>
        <translation>Show deactivated</translation>
    </message>
    <message>
        <source>添加(&amp;A)…</source>
        <translation>&amp;Add…</translation>
    </message>
    <message>
        <source>修改(&amp;E)…</source>
        <translation>&amp;Edit…</translation>
    </message>
    <message>
        <source>停用(&amp;D)…</source>
        <translation>&amp;Deactivate…</translation>
    </message>
    <message>
        <source>导入风险源清单…</source>
        <translation>Import the risk-source list…</translation>
    </message>
    <message>
        <source>导入 Excel…</source>
        <translation>Import Excel…</translation>
    </message>
    <message>
        <source>{quarter}：本项目尚未登记在用的一、二级风险源。</source>
        <translation>{quarter}: the project has no active level 1/2 risk source registered.</translation>
    </message>
    <message>
        <source>{quarter}一、二级风险源核查（N-04）：已核查 {done} / {total} 项（{percent}%）。</source>
        <translation>{quarter}, level 1/2 risk sources verified (N-04): {done} of {total} ({percent}%). </translation>
    </message>
    <message>
        <source>未核查：{names}</source>
        <translation>Not verified: {names}</translation>
    </message>
    <message>
        <source>恢复启用(&amp;D)</source>
        <translation>Reactivate (&amp;D)</translation>
    </message>
    <message>
        <source>恢复启用风险源“{name}”？</source>
        <translation>Reactivate the risk source “{name}”?</translation>
    </message>
    <message>
        <source>恢复启用</source>
        <translation>Reactivate</translation>
    </message>
    <message>
        <source>正在读取风险源清单…</source>
        <translation>Reading the risk-source list…</translation>
    </message>
    <message>
        <source>导入风险源清单</source>
        <translation>Import the risk-source list</translation>
    </message>
    <message>
        <source>清单中的 {n} 项均已在本项目登记，无需导入。</source>
        <translation>All {n} items of the list are already registered on this project; nothing to import.</translation>
    </message>
    <message>
        <source>将导入 {n} 项风险源（已登记的 {skipped} 项跳过）。</source>
        <translation>{n} risk sources will be imported ({skipped} already registered are skipped).</translation>
    </message>
    <message>
        <source>

这是软件自带的起步清单，不是官方分级表；导入后请按项目实际核对等级和措施。</source>
        <translation>

This is the starter list shipped with the software, not the official table: check each level and measure against the site after importing.</translation>
    </message>
    <message>
        <source>

是否导入？</source>
        <translation>

Import them?</translation>
    </message>
    <message>
        <source>正在导入风险源…</source>
        <translation>Importing risk sources…</translation>
    </message>
    <message>
        <source>正在读取 Excel 表格…</source>
        <translation>Reading the Excel workbook…</translation>
    </message>
    <message>
        <source>导入 Excel</source>
        <translation>Import Excel</translation>
    </message>
    <message>
        <source>……共 {n} 处问题</source>
        <translation>… {n} problems in all</translation>
    </message>
    <message>
        <source>表格有问题，未导入任何一行。请修改后重新导入：

</source>
        <translation>The workbook has problems; no row was imported. Correct them and import again:

</translation>
    </message>
    <message>
        <source>表中的 {n} 行均已在本项目登记，无需导入。</source>
        <translation>All {n} rows are already registered on this project; nothing to import.</translation>
    </message>
    <message>
        <source>读取 {read} 行：将导入 {n} 项，已登记的 {skipped} 项跳过。是否导入？</source>
        <translation>{read} rows read: {n} will be imported, {skipped} already registered are skipped. Import them?</translation>
    </message>
    <message>
        <source>导入完成</source>
        <translation>Import finished</translation>
    </message>
    <message>
        <source>已导入 {n} 项风险源。</source>
        <translation>{n} risk sources imported.</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>账户与本机</source>
        <translation>Account and computer</translation>
    </message>
    <message>
        <source>回收站</source>
        <translation>Recycle bin</translation>
    </message>
    <message>
        <source>数据备份与恢复</source>
        <translation>Backup and restore</translation>
    </message>
    <message>
        <source>导入</source>
        <translation>Import</translation>
    </message>
    <message>
        <source>导出审阅包</source>
        <translation>Review package</translation>
    </message>
    <message>
        <source>当前用户</source>
        <translation>Current user</translation>
    </message>
    <message>
        <source>修改密码…</source>
        <translation>Change password…</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>本机</source>
        <translation>This computer</translation>
    </message>
    <message>
        <source>版本</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>数据目录</source>
        <translation>Data folder</translation>
    </message>
    <message>
        <source>数据库</source>
        <translation>Database</translation>
    </message>
    <message>
        <source>附件库</source>
        <translation>Attachments</translation>
    </message>
    <message>
        <source>备份目录</source>
        <translation>Backup folder</translation>
    </message>
    <message>
        <source>日志文件</source>
        <translation>Log file</translation>
    </message>
    <message>
        <source>界面语言</source>
        <translation>Interface language</translation>
    </message>
    <message>
        <source>修改密码</source>
        <translation>Change password</translation>
    </message>
    <message>
        <source>密码已修改，下次登录请使用新密码。</source>
        <translation>Your password was changed; use the new one next time you sign in.</translation>
    </message>
    <message>
        <source>无法写入设置文件：{error}</source>
        <translation>Cannot write the settings file: {error}</translation>
    </message>
    <message>
        <source>设置未保存</source>
        <translation>Settings not saved</translation>
    </message>
    <message>
        <source>界面语言将在重新启动程序后生效。</source>
        <translation>The interface language changes when the program is restarted.</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>数据库：{where}</source>
        <translation>Database: {where}</translation>
    </message>
    <message>
        <source>当前用户：{name}（{role}）</source>
        <translation>Signed in: {name} ({role})</translation>
    </message>
</context>
<context>
    <name>TrainingDialogs</name>
    <message>
        <source>优</source>
        <translation>Excellent</translation>
    </message>
    <message>
        <source>良</source>
        <translation>Good</translation>
    </message>
    <message>
        <source>中</source>
        <translation>Fair</translation>
    </message>
    <message>
        <source>差</source>
        <translation>Poor</translation>
    </message>
    <message>
        <source>按合同约定</source>
        <translation>As the contract sets</translation>
    </message>
    <message>
        <source>每半年集中培训</source>
        <translation>Centralized every half-year</translation>
    </message>
    <message>
        <source>协助编制应急预案</source>
        <translation>Helped draft the plan</translation>
    </message>
    <message>
        <source>书面修改建议</source>
        <translation>Written suggestions</translation>
    </message>
    <message>
        <source>参训项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>管理人员</source>
        <translation>Managers</translation>
    </message>
    <message>
        <source>作业人员</source>
        <translation>Workers</translation>
    </message>
    <message>
        <source>名单（可选，以顿号分隔）</source>
        <translation>Names (optional, separated by 、 or commas)</translation>
    </message>
    <message>
        <source>项目登记人数</source>
        <translation>Registered headcount</translation>
    </message>
    <message>
        <source>添加参训项目(&amp;A)</source>
        <translation>&amp;Add a project</translation>
    </message>
    <message>
        <source>移除</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>管理 {m} 人 / 作业 {w} 人</source>
        <translation>{m} managers / {w} workers</translation>
    </message>
    <message>
        <source>登记培训</source>
        <translation>Record training</translation>
    </message>
    <message>
        <source>修改参训情况：{topic}</source>
        <translation>Correct attendance: {topic}</translation>
    </message>
    <message>
        <source>针对的隐患类别，如：高处坠落、基坑工程</source>
        <translation>Hazard categories targeted, e.g. falls from height, excavation</translation>
    </message>
    <message>
        <source>集中培训（计入每半年一次的集中培训）</source>
        <translation>Centralized (counts as the half-yearly centralized training)</translation>
    </message>
    <message>
        <source>培训日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>培训主题</source>
        <translation>Topic</translation>
    </message>
    <message>
        <source>针对类别</source>
        <translation>Targets</translation>
    </message>
    <message>
        <source>授课人</source>
        <translation>Trainer</translation>
    </message>
    <message>
        <source>学时（小时）</source>
        <translation>Hours</translation>
    </message>
    <message>
        <source>地点</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>培训内容摘要</source>
        <translation>Content</translation>
    </message>
    <message>
        <source>参训人员</source>
        <translation>Attendance</translation>
    </message>
    <message>
        <source>参训情况没有改动</source>
        <translation>The attendance is unchanged</translation>
    </message>
    <message>
        <source>删除培训记录：{topic}</source>
        <translation>Delete training: {topic}</translation>
    </message>
    <message>
        <source>删除原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>培训计划：{name}</source>
        <translation>Training plan: {name}</translation>
    </message>
    <message>
        <source>培训依据</source>
        <translation>Basis</translation>
    </message>
    <message>
        <source>每半年培训次数</source>
        <translation>Sessions per half-year</translation>
    </message>
    <message>
        <source>计划内容</source>
        <translation>Planned content</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>登记应急预案协助</source>
        <translation>Record emergency-plan help</translation>
    </message>
    <message>
        <source>如：生产安全事故综合应急预案</source>
        <translation>e.g. comprehensive emergency plan for production accidents</translation>
    </message>
    <message>
        <source>项目</source>
        <translation>Project</translation>
    </message>
    <message>
        <source>协助方式</source>
        <translation>Help given</translation>
    </message>
    <message>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>应急预案名称</source>
        <translation>Emergency plan</translation>
    </message>
    <message>
        <source>主要建议</source>
        <translation>Main suggestions</translation>
    </message>
    <message>
        <source>请选择项目</source>
        <translation>Please choose a project</translation>
    </message>
    <message>
        <source>登记应急演练</source>
        <translation>Record a drill</translation>
    </message>
    <message>
        <source>如：高处坠落、基坑坍塌、火灾</source>
        <translation>e.g. fall from height, excavation collapse, fire</translation>
    </message>
    <message>
        <source>演练日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>演练科目</source>
        <translation>Scenario</translation>
    </message>
    <message>
        <source>参演人数</source>
        <translation>Participants</translation>
    </message>
    <message>
        <source>组织单位/负责人</source>
        <translation>Organiser</translation>
    </message>
    <message>
        <source>演练过程记录</source>
        <translation>What happened</translation>
    </message>
    <message>
        <source>演练评估：{scenario}</source>
        <translation>Drill evaluation: {scenario}</translation>
    </message>
    <message>
        <source>{project}&#x3000;{date}&#x3000;参演 {n} 人</source>
        <translation>{project}, {date}, {n} participants</translation>
    </message>
    <message>
        <source>演练</source>
        <translation>Drill</translation>
    </message>
    <message>
        <source>（未记录演练过程）</source>
        <translation>(not recorded)</translation>
    </message>
    <message>
        <source>过程记录</source>
        <translation>What happened</translation>
    </message>
    <message>
        <source>请选择</source>
        <translation>Please choose</translation>
    </message>
    <message>
        <source>成效评估</source>
        <translation>Evaluation</translation>
    </message>
    <message>
        <source>发现的问题</source>
        <translation>Problems found</translation>
    </message>
    <message>
        <source>改进措施</source>
        <translation>Improvements</translation>
    </message>
    <message>
        <source>评价等级</source>
        <translation>Rating</translation>
    </message>
    <message>
        <source>已生成“{title}”草稿，可在文书页签发。是否现在打开查看？</source>
        <translation>The draft of &quot;{title}&quot; is ready and can be signed on the documents page. Open it now?</translation>
    </message>
    <message>
        <source>文书草稿</source>
        <translation>Document draft</translation>
    </message>
    <message>
        <source>正在生成文书草稿…</source>
        <translation>Generating the draft…</translation>
    </message>
</context>
<context>
    <name>TrainingPage</name>
    <message>
        <source>达标</source>
        <translation>Met</translation>
    </message>
    <message>
        <source>未达标</source>
        <translation>Not met</translation>
    </message>
    <message>
        <source>已评估</source>
        <translation>Evaluated</translation>
    </message>
    <message>
        <source>待评估</source>
        <translation>To evaluate</translation>
    </message>
    <message>
        <source>全部项目</source>
        <translation>All projects</translation>
    </message>
    <message>
        <source>全部期间</source>
        <translation>All dates</translation>
    </message>
    <message>
        <source>搜索培训主题、授课人、地点或类别</source>
        <translation>Search topic, trainer, location or target</translation>
    </message>
    <message>
        <source>仅集中培训</source>
        <translation>Centralized only</translation>
    </message>
    <message>
        <source>登记培训(&amp;N)…</source>
        <translation>&amp;New training…</translation>
    </message>
    <message>
        <source>培训记录</source>
        <translation>Sessions</translation>
    </message>
    <message>
        <source>修改参训情况(&amp;E)…</source>
        <translation>&amp;Edit attendance…</translation>
    </message>
    <message>
        <source>删除(&amp;D)…</source>
        <translation>&amp;Delete…</translation>
    </message>
    <message>
        <source>打印培训记录(&amp;P)</source>
        <translation>&amp;Print record</translation>
    </message>
    <message>
        <source>半年度培训情况</source>
        <translation>Half-year status</translation>
    </message>
    <message>
        <source>培训计划(&amp;L)…</source>
        <translation>Training p&amp;lan…</translation>
    </message>
    <message>
        <source>应急预案协助</source>
        <translation>Emergency-plan help</translation>
    </message>
    <message>
        <source>登记协助(&amp;H)…</source>
        <translation>Record &amp;help…</translation>
    </message>
    <message>
        <source>应急演练</source>
        <translation>Drills</translation>
    </message>
    <message>
        <source>登记演练(&amp;R)…</source>
        <translation>&amp;Record drill…</translation>
    </message>
    <message>
        <source>演练评估(&amp;V)…</source>
        <translation>E&amp;valuate…</translation>
    </message>
    <message>
        <source>打印演练记录(&amp;T)</source>
        <translation>Print drill record (&amp;T)</translation>
    </message>
    <message>
        <source>项目(&amp;J)</source>
        <translation>Pro&amp;ject</translation>
    </message>
    <message>
        <source>期间(&amp;Q)</source>
        <translation>Period (&amp;Q)</translation>
    </message>
    <message>
        <source>共 {n} 次培训</source>
        <translation>{n} sessions</translation>
    </message>
    <message>
        <source>共 {n} 个项目</source>
        <translation>{n} projects</translation>
    </message>
    <message>
        <source>共 {n} 条协助记录</source>
        <translation>{n} records of help</translation>
    </message>
    <message>
        <source>共 {n} 次演练，{k} 次待评估</source>
        <translation>{n} drills, {k} to evaluate</translation>
    </message>
    <message>
        <source>{half}：{n} 个在服务项目，{short} 个未全部达标（频次、全覆盖、针对性，C-4a/b/c）</source>
        <translation>{half}: {n} projects in service, {short} short of frequency, coverage or targeting (C-4a/b/c)</translation>
    </message>
</context>
<context>
    <name>UserDialogs</name>
    <message>
        <source>两次输入的密码不一致</source>
        <translation>The two passwords do not match</translation>
    </message>
    <message>
        <source>修改密码</source>
        <translation>Change password</translation>
    </message>
    <message>
        <source>原密码</source>
        <translation>Current password</translation>
    </message>
    <message>
        <source>新密码</source>
        <translation>New password</translation>
    </message>
    <message>
        <source>确认新密码</source>
        <translation>Confirm new password</translation>
    </message>
    <message>
        <source>新建用户</source>
        <translation>New user</translation>
    </message>
    <message>
        <source>专职人员</source>
        <translation>Full-time staff</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>职务/职称</source>
        <translation>Position/title</translation>
    </message>
    <message>
        <source>初始密码</source>
        <translation>Initial password</translation>
    </message>
    <message>
        <source>确认密码</source>
        <translation>Confirm password</translation>
    </message>
    <message>
        <source>修改角色和状态：{name}</source>
        <translation>Role and status: {name}</translation>
    </message>
    <message>
        <source>账户可用（取消勾选即停用，不能登录）</source>
        <translation>Account active (untick to disable sign-in)</translation>
    </message>
    <message>
        <source>重置密码：{name}</source>
        <translation>Reset password: {name}</translation>
    </message>
    <message>
        <source>该用户下次登录后应立即修改密码；账户锁定同时解除。</source>
        <translation>The user should change this password right after signing in; a lockout is lifted too.</translation>
    </message>
</context>
<context>
    <name>UsersPanel</name>
    <message>
        <source>用户管理</source>
        <translation>Users</translation>
    </message>
    <message>
        <source>新建用户…</source>
        <translation>New user…</translation>
    </message>
    <message>
        <source>修改角色/停用…</source>
        <translation>Role / disable…</translation>
    </message>
    <message>
        <source>重置密码…</source>
        <translation>Reset password…</translation>
    </message>
</context>
</TS>
